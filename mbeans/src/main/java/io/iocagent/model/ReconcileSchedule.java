package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.systemd.ActiveState;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Which units' full state a poll reads: those never read, listed differently from what the model
 * holds, held as running but no longer listed (systemd unloaded them), and a round-robin slice so
 * that every unit is read once per {@link #RECONCILE_SECONDS} — which also picks up the unit file
 * state, for which systemd sends no signal. Re-reading every unit on every poll was measured at
 * about one second per poll for 500 units (two {@code GetAll} of some 250 properties each).
 *
 * <p>Not thread-safe: the model thread asks it.
 */
final class ReconcileSchedule {

    /** Every unit's full state is re-read once per this many seconds, spread over the polls. */
    static final long RECONCILE_SECONDS = 60;

    private final long pollsPerRound;
    private IocName after;

    ReconcileSchedule(Duration pollInterval) {
        this.pollsPerRound = Math.max(1, TimeUnit.SECONDS.toMillis(RECONCILE_SECONDS) / pollInterval.toMillis());
    }

    /**
     * @param names   every IOC of the poll
     * @param listed  what {@code ListUnitsByPatterns} returned, by IOC
     * @param held    the unit states the model holds
     * @param readAll every one of {@code names} (systemd was unreachable, or this is the first poll)
     */
    Set<IocName> select(Set<IocName> names, Map<IocName, UnitSummary> listed, Map<IocName, UnitState> held,
                        boolean readAll) {
        if (readAll) {
            return names;
        }
        Set<IocName> read = new LinkedHashSet<>();
        for (IocName name : names) {
            UnitState known = held.get(name);
            UnitSummary summary = listed.get(name);
            if (known == null
                    || summary == null && known.active() != ActiveState.INACTIVE
                    || summary != null && (!summary.jobType().isEmpty()
                            || !summary.activeState().equals(known.activeState())
                            || !summary.subState().equals(known.subState())
                            || !summary.loadState().equals(known.loadState()))) {
                read.add(name);
            }
        }
        if (names.isEmpty()) {
            return read;
        }
        int slice = (int) Math.min(names.size(), (names.size() + pollsPerRound - 1) / pollsPerRound);
        List<IocName> ordered = new ArrayList<>(names);
        int from = 0;
        while (after != null && from < ordered.size() && ordered.get(from).compareTo(after) <= 0) {
            from++;
        }
        for (int i = 0; i < slice; i++) {
            IocName name = ordered.get((from + i) % ordered.size());
            read.add(name);
            after = name;
        }
        return read;
    }
}
