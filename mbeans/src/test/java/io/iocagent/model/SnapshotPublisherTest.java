package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** When a snapshot reaches the listeners, and what the refresh counters say. */
class SnapshotPublisherTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    private static final Instant T1 = T0.plusSeconds(5);

    private final SnapshotPublisher publisher = new SnapshotPublisher(Snapshot.empty("local", "/conf"));
    private final List<String> seen = new ArrayList<>();

    SnapshotPublisherTest() {
        publisher.addListener((old, next) -> seen.add(old.iocs().keySet() + "->" + next.iocs().keySet()
                + " errors " + old.refreshErrors() + "->" + next.refreshErrors()
                + " connected " + old.systemdConnected() + "->" + next.systemdConnected()));
    }

    private static SortedMap<String, IocSnapshot> iocs(String... names) {
        SortedMap<String, IocSnapshot> map = new TreeMap<>();
        for (String n : names) {
            map.put(n, IocSnapshots.running(n));
        }
        return map;
    }

    @Test
    void aChangedIocSetReachesTheListenersWithTheOldAndTheNewSnapshot() {
        Snapshot first = publisher.publish(iocs("a"), true, T0, false);
        assertSame(first, publisher.current());
        assertEquals(T0, first.takenAt());
        assertEquals("local", first.mode(), "the mode of the first snapshot is kept");
        assertEquals("/conf", first.confDirectory());
        assertEquals(List.of("[]->[a] errors 0->0 connected false->true"), seen);

        publisher.publish(iocs("a", "b"), true, T1, false);
        assertEquals(List.of("[]->[a] errors 0->0 connected false->true", "[a]->[a, b] errors 0->0 connected true->true"),
                seen);
    }

    @Test
    void anEventThatChangedNothingPublishesNothing() {
        Snapshot first = publisher.publish(iocs("a"), true, T0, false);
        seen.clear();
        Snapshot again = publisher.publish(iocs("a"), true, T1, false);
        assertSame(first, again, "an unchanged event snapshot must return the current one");
        assertSame(first, publisher.current());
        assertEquals(List.of(), seen, "no listener is called for an event that changed nothing");
    }

    @Test
    void aQuietPollRefreshesTakenAtWithoutCallingListeners() {
        publisher.publish(iocs("a"), true, T0, true);
        seen.clear();
        publisher.refreshEnded(List.of(), Duration.ofMillis(40));
        Snapshot polled = publisher.publish(iocs("a"), true, T1, true);
        assertEquals(T1, polled.takenAt(), "a poll's snapshot says how fresh it is");
        assertSame(polled, publisher.current());
        assertEquals(Duration.ofMillis(40), polled.refreshDuration());
        assertEquals(List.of(), seen, "a poll that changed nothing calls no listener");
    }

    @Test
    void aRefreshErrorIsPublishedEvenWhenNoIocChanged() {
        publisher.publish(iocs("a"), true, T0, true);
        seen.clear();
        publisher.refreshEnded(List.of("cannot list /conf: Permission denied"), Duration.ofMillis(10));
        Snapshot next = publisher.publish(iocs("a"), true, T1, false);
        assertEquals(1, next.refreshErrors(), "the refresh error count of the published snapshot");
        assertEquals(List.of("[a]->[a] errors 0->1 connected true->true"), seen,
                "a refresh error is a change: listeners (the manager MBean's RefreshErrors) must hear of it");
    }

    @Test
    void aFailedRefreshCountsAndIsPublished() {
        publisher.publish(iocs("a"), true, T0, true);
        seen.clear();
        publisher.refreshFailed();
        publisher.refreshFailed();
        Snapshot next = publisher.publish(iocs("a"), true, T1, false);
        assertEquals(2, next.refreshErrors());
        assertEquals(1, seen.size(), "one publication for the changed count, got " + seen);
    }

    @Test
    void everyIncompleteRefreshCountsOnceAndACompleteOneCountsNone() {
        publisher.refreshEnded(List.of("a", "b"), Duration.ofMillis(1));
        publisher.refreshEnded(List.of("a", "b"), Duration.ofMillis(1));
        publisher.refreshEnded(List.of(), Duration.ofMillis(1));
        assertEquals(2, publisher.publish(iocs(), false, T0, true).refreshErrors(),
                "two incomplete refreshes, each one error however many problems it had");
    }

    @Test
    void losingSystemdIsPublished() {
        publisher.publish(iocs("a"), true, T0, true);
        seen.clear();
        Snapshot next = publisher.publish(iocs("a"), false, T1, false);
        assertFalse(next.systemdConnected());
        assertEquals(List.of("[a]->[a] errors 0->0 connected true->false"), seen);
    }

    @Test
    void aFailingListenerDoesNotKeepTheOthersFromTheSnapshot() {
        List<String> second = new ArrayList<>();
        SnapshotPublisher p = new SnapshotPublisher(Snapshot.empty("system", "/etc/procServ.d"));
        p.addListener((o, n) -> {
            throw new IllegalStateException("listener bug");
        });
        p.addListener((o, n) -> second.add(String.join(",", n.iocs().keySet())));
        Snapshot published = p.publish(iocs("x"), true, T0, false);
        assertEquals(List.of("x"), second, "the listener after a failing one still hears of the change");
        assertSame(published, p.current());
        assertTrue(published.iocs().containsKey("x"));
    }
}
