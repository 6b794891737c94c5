package io.iocagent.model;

import io.iocagent.systemd.ActiveState;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every IOC of the agent's mode at one moment, immutable: surfaces read the latest one and never
 * wait for systemd.
 *
 * @param takenAt          when the refresh that built it finished
 * @param mode             "system" or "local"
 * @param confDirectory    where the confs are read from
 * @param systemdConnected the last call to systemd succeeded
 * @param iocs             by name, sorted
 * @param refreshDuration  how long the last full refresh took
 * @param refreshErrors    refreshes that failed since start
 */
public record Snapshot(Instant takenAt, String mode, String confDirectory, boolean systemdConnected,
                       SortedMap<String, IocSnapshot> iocs, Duration refreshDuration, long refreshErrors) {

    public Snapshot {
        iocs = Collections.unmodifiableSortedMap(new TreeMap<>(iocs));
    }

    /** An empty model, before the first refresh. */
    public static Snapshot empty(String mode, String confDirectory) {
        return new Snapshot(Instant.EPOCH, mode, confDirectory, false, new TreeMap<>(), Duration.ZERO, 0);
    }

    /**
     * IOCs whose {@link IocSnapshot#readiness()} is {@code readiness}: the one definition of the
     * fleet's counts. The manager MBean's {@code ReadyCount}, {@code FailedCount},
     * {@code CrashLoopCount} and {@code ReadinessCounts} are this, and the per-IOC one-hot metric
     * {@code epics_ioc_readiness} summed over IOCs is this too.
     */
    public long count(Readiness readiness) {
        return iocs.values().stream().filter(i -> i.readiness() == readiness).count();
    }

    /** {@link #count} for every {@link Readiness} value in declaration order, zeros included. */
    public Map<Readiness, Long> readinessCounts() {
        Map<Readiness, Long> counts = new EnumMap<>(Readiness.class);
        for (Readiness r : Readiness.values()) {
            counts.put(r, 0L);
        }
        for (IocSnapshot i : iocs.values()) {
            counts.merge(i.readiness(), 1L, Long::sum);
        }
        return counts;
    }

    /** IOCs whose unit is active; -1 while systemd is unreachable (the agent does not know). */
    public long activeCount() {
        if (!systemdConnected) {
            return -1;
        }
        return iocs.values().stream().filter(i -> i.active() == ActiveState.ACTIVE).count();
    }
}
