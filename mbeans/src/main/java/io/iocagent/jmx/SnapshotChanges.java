package io.iocagent.jmx;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What changed between two snapshots, as the JMX surface needs it: which IOCs appeared and
 * disappeared (MBeans to register and unregister) and, for IOCs in both, the notified attributes
 * whose value changed. Pure function of its inputs.
 *
 * @param added   IOC names only in the newer snapshot, sorted
 * @param removed IOC names only in the older snapshot, sorted
 * @param changes attribute changes of IOCs in both, by IOC name, {@code ActiveState} before {@code Readiness}
 *                before {@code LastExitReason}
 */
record SnapshotChanges(SortedSet<String> added, SortedSet<String> removed, List<AttributeChange> changes) {

    /** The attributes whose changes are notified. */
    static final String ACTIVE_STATE = "ActiveState";
    static final String READINESS = "Readiness";
    /** Notified once per child exit procServ logged (old and new value are reasons, and may be equal). */
    static final String LAST_EXIT_REASON = "LastExitReason";

    SnapshotChanges {
        added = Collections.unmodifiableSortedSet(new TreeSet<>(added));
        removed = Collections.unmodifiableSortedSet(new TreeSet<>(removed));
        changes = List.copyOf(changes);
    }

    /**
     * One attribute of one IOC changed.
     *
     * @param ioc       IOC name
     * @param attribute JMX attribute name ({@link #ACTIVE_STATE} or {@link #READINESS})
     * @param oldValue  value in the older snapshot
     * @param newValue  value in the newer snapshot
     */
    record AttributeChange(String ioc, String attribute, String oldValue, String newValue) {
    }

    /**
     * The changes from {@code before} to {@code after}.
     *
     * @param before the older snapshot; null means none (everything in {@code after} is added)
     */
    static SnapshotChanges between(Snapshot before, Snapshot after) {
        Map<String, IocSnapshot> old = before == null ? Map.of() : before.iocs();
        Map<String, IocSnapshot> now = after.iocs();
        SortedSet<String> added = new TreeSet<>(now.keySet());
        added.removeAll(old.keySet());
        SortedSet<String> removed = new TreeSet<>(old.keySet());
        removed.removeAll(now.keySet());
        List<AttributeChange> changes = new ArrayList<>();
        for (Map.Entry<String, IocSnapshot> e : now.entrySet()) {
            IocSnapshot was = old.get(e.getKey());
            if (was == null) {
                continue;
            }
            IocSnapshot is = e.getValue();
            if (!was.activeState().equals(is.activeState())) {
                changes.add(new AttributeChange(e.getKey(), ACTIVE_STATE, was.activeState(), is.activeState()));
            }
            if (was.readiness() != is.readiness()) {
                changes.add(new AttributeChange(e.getKey(), READINESS, was.readiness().name(), is.readiness().name()));
            }
            if (is.lastExit() != null && !is.lastExit().equals(was.lastExit())) {
                changes.add(new AttributeChange(e.getKey(), LAST_EXIT_REASON,
                        was.lastExit() == null ? "" : was.lastExit().reason(), is.lastExit().reason()));
            }
        }
        return new SnapshotChanges(added, removed, changes);
    }
}
