package io.iocagent.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Keeps wrong passwords from starving everyone else. A password check costs a PBKDF2 run (a
 * quarter of a second of one core, by design); eight clients sending wrong passwords in a loop
 * used to push anonymous reads from 3 ms to 2 s. So:
 * <ul>
 * <li><b>Bounded hashing.</b> At most {@code login.concurrency} checks run at once; a check that
 * finds no free slot is not queued (which would hold a request thread) but answered 429 at once.</li>
 * <li><b>Back-off per client address.</b> After {@code login.failures.free} failures in a row from
 * one address, further attempts from it are answered 429 without hashing for 1 s, doubling per
 * failure up to {@code login.backoff.max}. A success clears it.</li>
 * <li><b>Known-good logins pass.</b> Credentials the {@link io.iocagent.jmx.CredentialsFile}
 * remembers as verified cost no hash and are never throttled, so users already logged in keep
 * working while an attacker is backed off.</li>
 * </ul>
 * On loopback every local user shares the address 127.0.0.1, so one user's wrong passwords also
 * back off another's first login there (not logins already remembered): documented in
 * docs/security.md. Thread-safe.
 */
final class LoginThrottle {

    private static final int MAX_CLIENTS = 4096;

    /**
     * What became of one attempt.
     *
     * @param caller     who logged in, empty when refused or throttled
     * @param throttled  not checked at all: answer 429
     * @param retryAfter when a throttled client may try again
     * @param audit      write an audit line for this failure (false for throttled attempts and successes)
     * @param suppressed throttled attempts of this address since its last audited failure
     */
    record Verdict(Optional<Caller> caller, boolean throttled, Duration retryAfter, boolean audit, long suppressed) {
    }

    private static final class Failures {
        int count;
        Instant blockedUntil = Instant.MIN;
        long suppressed;
    }

    private final HttpLimits limits;
    private final Clock clock;
    private final Semaphore hashing;
    private final Map<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true);

    LoginThrottle(HttpLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.hashing = new Semaphore(limits.loginConcurrency());
    }

    /**
     * Decides one login from {@code address}: {@code remembered} (cheap, no hash) first, then,
     * unless the address is backed off or every hashing slot is busy, {@code check} (PBKDF2).
     */
    Verdict attempt(String address, Supplier<Optional<Caller>> remembered, Supplier<Optional<Caller>> check) {
        Optional<Caller> known = remembered.get();
        if (known.isPresent()) {
            return new Verdict(known, false, Duration.ZERO, false, 0);
        }
        Instant now = clock.instant();
        synchronized (this) {
            Failures f = failures.get(address);
            if (f != null && f.blockedUntil.isAfter(now)) {
                f.suppressed++;
                return new Verdict(Optional.empty(), true, Duration.between(now, f.blockedUntil), false, 0);
            }
        }
        if (!hashing.tryAcquire()) {
            return new Verdict(Optional.empty(), true, Duration.ofSeconds(1), false, 0);
        }
        Optional<Caller> caller;
        try {
            caller = check.get();
        } finally {
            hashing.release();
        }
        synchronized (this) {
            if (caller.isPresent()) {
                failures.remove(address);
                return new Verdict(caller, false, Duration.ZERO, false, 0);
            }
            Failures f = failures.computeIfAbsent(address, a -> new Failures());
            trim();
            f.count++;
            long suppressed = f.suppressed;
            f.suppressed = 0;
            int over = f.count - limits.loginFailuresFree() + 1;
            if (over > 0) {
                long seconds = Math.min(limits.loginBackoffMax().toSeconds(), 1L << Math.min(over - 1, 20));
                f.blockedUntil = clock.instant().plusSeconds(Math.max(1, seconds));
            }
            return new Verdict(Optional.empty(), false, Duration.ZERO, true, suppressed);
        }
    }

    private void trim() {
        var it = failures.keySet().iterator();
        while (failures.size() > MAX_CLIENTS && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
