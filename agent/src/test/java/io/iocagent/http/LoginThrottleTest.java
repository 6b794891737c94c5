package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.jmx.Role;
import io.iocagent.testbed.HandClock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private static final Optional<Caller> NONE = Optional.empty();
    private static final Optional<Caller> ALICE = Optional.of(new Caller("alice", Role.OPERATOR));

    private final AtomicInteger checks = new AtomicInteger();
    private final HandClock clock = new HandClock();
    private final LoginThrottle throttle = new LoginThrottle(HttpLimits.DEFAULTS, clock);

    private LoginThrottle.Verdict wrong(String address) {
        return throttle.attempt(address, () -> NONE, () -> {
            checks.incrementAndGet();
            return NONE;
        });
    }

    @Test
    void afterThreeFailuresAnAddressIsBackedOffWithoutAPasswordCheckDoublingUpToTheMaximum() {
        for (int i = 0; i < 3; i++) {
            assertTrue(wrong("10.0.0.9").audit(), "failure " + (i + 1) + " is checked and audited");
        }
        assertEquals(3, checks.get());
        // The third failure started a 1 s back-off.
        LoginThrottle.Verdict held = wrong("10.0.0.9");
        assertTrue(held.throttled() && !held.audit());
        assertEquals(3, checks.get(), "no PBKDF2 run during back-off");
        clock.advance(Duration.ofSeconds(2));
        LoginThrottle.Verdict fourth = wrong("10.0.0.9");
        assertTrue(fourth.audit() && fourth.suppressed() == 1, "the next audited failure counts the refused attempts");
        for (int i = 0; i < 12; i++) {
            clock.advance(Duration.ofSeconds(61));
            wrong("10.0.0.9");
        }
        assertTrue(wrong("10.0.0.9").retryAfter().compareTo(Duration.ofSeconds(60)) <= 0, "back-off capped at login.backoff.max");
        assertFalse(wrong("10.0.0.8").throttled(), "another address is not backed off");
    }

    @Test
    void aRememberedLoginPassesWhileItsAddressIsBackedOff() {
        for (int i = 0; i < 4; i++) {
            wrong("127.0.0.1");
        }
        LoginThrottle.Verdict known = throttle.attempt("127.0.0.1", () -> ALICE, () -> {
            throw new AssertionError("a remembered login needs no check");
        });
        assertEquals(ALICE, known.caller());
        assertFalse(known.throttled());
    }

    @Test
    void aCheckThatFindsNoFreeSlotIsRefusedAtOnceNotQueued() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread slow = new Thread(() -> throttle.attempt("10.0.0.1", () -> NONE, () -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ALICE;
        }));
        slow.start();
        inside.await();
        LoginThrottle.Verdict second = throttle.attempt("10.0.0.2", () -> NONE, () -> ALICE);
        assertTrue(second.throttled(), "login.concurrency=1: a second check at the same time gets 429");
        release.countDown();
        slow.join();
        assertEquals(ALICE, throttle.attempt("10.0.0.2", () -> NONE, () -> ALICE).caller());
    }
}
