package io.iocagent.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.systemd.SystemdBus;
import io.iocagent.testbed.TestBed;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The agent's one systemd client against the real user manager: shared while open, replaced once closed. */
class SharedBusIT {

    @Test
    void aClientItsOwnerClosedIsReplacedNotHandedOutAgain() {
        try (TestBed bed = TestBed.open(); SharedBus shared = new SharedBus(bed.busAddress(), Duration.ofSeconds(25))) {
            SystemdBus first = shared.get();
            assertSame(first, shared.get(), "every caller shares the open client");

            first.close(); // what the model does with a client whose signal subscription failed
            assertTrue(first.isClosed());

            SystemdBus second = shared.get();
            assertNotSame(first, second, "a closed client is not handed out again");
            assertFalse(second.isClosed());
            second.ping(); // and it answers
        }
    }
}
