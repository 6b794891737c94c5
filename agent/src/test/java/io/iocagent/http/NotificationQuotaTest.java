package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.HandClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NotificationQuotaTest {

    private static final HttpLimits LIMITS = new HttpLimits(Duration.ofSeconds(5), Duration.ofSeconds(30), 1024, 20, 1 << 20,
            4, 2, 3, Duration.ofMinutes(5), 3, Duration.ofSeconds(60), 1, 4);

    private final HandClock clock = new HandClock();
    private final NotificationQuota quota = new NotificationQuota(LIMITS, clock);
    private final List<String> unregistered = new ArrayList<>();

    private Optional<String> admit(String owner, String command, String client) {
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {command, client});
        return quota.admit(owner, commands, unregistered::add);
    }

    private void register(String owner, String id) {
        assertEquals(Optional.empty(), admit(owner, "register", null), owner + " registers " + id);
        quota.registered(owner, id);
    }

    @Test
    void aCallerGetsItsShareAndTheTotalIsBounded() {
        register("anonymous@127.0.0.1", "a1");
        register("anonymous@127.0.0.1", "a2");
        Optional<String> third = admit("anonymous@127.0.0.1", "register", null);
        assertTrue(third.orElse("").contains("jolokia.notification.clients.per.caller"), String.valueOf(third));
        register("user alice", "b1");
        register("user alice", "b2");
        Optional<String> fifth = admit("user bob", "register", null);
        assertTrue(fifth.orElse("").contains("jolokia.notification.clients.max"), String.valueOf(fifth));
    }

    @Test
    void listenersPerClientAreBounded() {
        register("user alice", "c");
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.empty(), admit("user alice", "add", "c"));
            quota.added("c");
        }
        assertTrue(admit("user alice", "add", "c").orElse("").contains("jolokia.notification.listeners.per.client"));
        quota.removed("c");
        assertEquals(Optional.empty(), admit("user alice", "add", "c"));
    }

    @Test
    void idleClientsAreUnregisteredAndTheirSlotsFreed() {
        register("anonymous@127.0.0.1", "old");
        register("anonymous@127.0.0.1", "busy");
        clock.advance(Duration.ofMinutes(4));
        quota.seen("busy");
        clock.advance(Duration.ofMinutes(2));
        assertEquals(Optional.empty(), admit("anonymous@127.0.0.1", "register", null), "the idle client's slot is free again");
        assertEquals(List.of("old"), unregistered, "only the client idle for more than 5 minutes goes");
        assertEquals(1, quota.clients());
    }

    @Test
    void anAdmittedRegistrationThatGotNoIdGivesItsSlotBack() {
        assertEquals(Optional.empty(), admit("user alice", "register", null));
        assertEquals(Optional.empty(), admit("user alice", "register", null));
        assertTrue(admit("user alice", "register", null).isPresent(), "two pending registrations fill alice's share");
        quota.abandon("user alice", 2);
        assertEquals(Optional.empty(), admit("user alice", "register", null));
    }
}
