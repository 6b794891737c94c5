package io.iocagent.model;

import java.time.Instant;

/**
 * One child of procServ as its log tells it: from the {@code ChildStarted} line ("The PID of new
 * child") through the marker ({@code All initialization complete}) to procServ's death banner.
 * A generation read before any {@code ChildStarted} (a log that begins mid-run) is anonymous
 * (PID -1). Mutable, owned by one {@link ChildTracker}.
 */
final class Generation {

    /** The child's PID, -1 for an anonymous generation. */
    final int pid;
    /** When its start was read; null for the backlog (long ago). */
    final Instant startedAt;
    boolean markerSeen;
    /** When the marker was read; null for the backlog. */
    Instant markerAt;
    boolean died;
    String lastError = "";

    Generation(int pid, Instant startedAt) {
        this.pid = pid;
        this.startedAt = startedAt;
    }
}
