package io.iocagent.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * How the hang probe runs; the agent settings {@code probe.*} (docs/agent.md).
 *
 * @param enabled        probe at all
 * @param interval       how often each READY IOC is asked
 * @param timeout        how long an answer may take; shorter than {@code interval}
 * @param failures       consecutive unanswered probes that make a live IOC HUNG (K)
 * @param maxConnections most circuits open at once (one per probed IOC); IOCs beyond it are not probed
 */
public record ProbeSettings(boolean enabled, Duration interval, Duration timeout, int failures, int maxConnections) {

    /** Detection within {@code failures × interval + timeout}: 3 × 2 s + 1.5 s = 7.5 s. */
    public static final ProbeSettings DEFAULTS =
            new ProbeSettings(true, Duration.ofSeconds(2), Duration.ofMillis(1500), 3, 4096);

    /** @throws IllegalArgumentException naming the setting, for values the probe cannot run with */
    public ProbeSettings {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.toMillis() < 100) {
            throw new IllegalArgumentException("probe.interval must be at least 100ms, got " + interval.toMillis() + "ms.");
        }
        if (timeout.toMillis() < 10 || timeout.compareTo(interval) >= 0) {
            throw new IllegalArgumentException("probe.timeout (" + timeout.toMillis() + "ms) must be at least 10ms and"
                    + " shorter than probe.interval (" + interval.toMillis() + "ms).");
        }
        if (failures < 1 || failures > 100) {
            throw new IllegalArgumentException("probe.failures must be 1 to 100, got " + failures + ".");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("probe.connections.max must be at least 1, got " + maxConnections + ".");
        }
    }
}
