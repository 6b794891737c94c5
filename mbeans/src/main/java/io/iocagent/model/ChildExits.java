package io.iocagent.model;

import io.iocagent.crash.ChildExit;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * How one IOC's children ended: the last exit procServ logged ({@link ChildExit}), kept across
 * runs and log rotations, and the exits read live counted by reason. A death procServ could not log
 * counts with reason {@code unknown}; when procServ's line for that child is read after all, it
 * replaces the unknown one and the child still counts once.
 *
 * <p>Not thread-safe: owned by one {@link ChildTracker}.
 */
final class ChildExits {

    /** The last exit, null when none was read. */
    private ChildExit last;
    /** Live exits by {@link ChildExit#reason()}; bounded by the reason's bounded value set. */
    private final Map<String, Long> byReason = new TreeMap<>();

    /**
     * An exit procServ logged.
     *
     * @param at when it was read live, null for the backlog (not counted)
     */
    void logged(ChildExit exit, Instant at) {
        boolean live = at != null;
        if (live && last != null && last.isUnlogged() && last.pid() == exit.pid()) {
            byReason.computeIfPresent(last.reason(), (k, n) -> n > 1 ? n - 1 : null); // now known: counted once
        }
        last = exit.at(at);
        if (live) {
            byReason.merge(last.reason(), 1L, Long::sum);
        }
    }

    /** Child {@code pid} was found gone at {@code at} without a line from procServ. */
    void unlogged(int pid, Instant at) {
        last = ChildExit.unlogged(pid, at);
        byReason.merge(last.reason(), 1L, Long::sum);
    }

    /** The last exit (its time is null when read from the backlog), or null. */
    ChildExit last() {
        return last;
    }

    /** Exits read live, by reason ({@code exit_N}, {@code signal_NAME}); a copy. */
    Map<String, Long> byReason() {
        return Map.copyOf(byReason);
    }
}
