package io.iocagent.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
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

    public long count(Readiness readiness) {
        return iocs.values().stream().filter(i -> i.readiness() == readiness).count();
    }

    /** IOCs whose unit is active; -1 while systemd is unreachable (the agent does not know). */
    public long activeCount() {
        if (!systemdConnected) {
            return -1;
        }
        return iocs.values().stream().filter(i -> i.activeState().equals("active")).count();
    }
}
