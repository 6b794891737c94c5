package io.iocagent.model;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * The crashes of one IOC that count towards a crash loop: its children's deaths and systemd's
 * restarts of procServ ({@code NRestarts} rising) within the crash window W, as
 * {@link ChildTracker} records them, and the crash-loop clauses of its readiness rule (rules 3 and
 * 7 there). Bounded: more than {@link #MAX_HISTORY} of either within W changes no answer.
 *
 * <p>Not thread-safe: owned by one {@link ChildTracker}.
 */
final class CrashHistory {

    /** Bound on remembered deaths and restarts; more than this within W changes nothing. */
    static final int MAX_HISTORY = 16;

    private final Duration window;
    private final Deque<Death> deaths = new ArrayDeque<>();
    private final Deque<Instant> serviceRestarts = new ArrayDeque<>();
    /** systemd's last {@code NRestarts}, -1 before the first. */
    private long lastNRestarts = -1;

    /** A death banner (or an unlogged death) that counted as a crash. */
    private record Death(Instant at, boolean afterMarker) {
    }

    CrashHistory(Duration window) {
        this.window = Objects.requireNonNull(window, "window");
    }

    /** A child died at {@code at}, after its marker or before. */
    void died(Instant at, boolean afterMarker) {
        addBounded(deaths, new Death(at, afterMarker));
    }

    /**
     * The backlog ended in {@code earlyDeaths} deaths before any marker: when the log was written
     * within W and they are two or more, they count as deaths at {@code lastWrite}, so that a crash
     * loop under way when watching begins is reported at once.
     *
     * @param lastWrite the log's modification time, null when unknown
     */
    void backlogEndedIn(int earlyDeaths, Instant lastWrite, Instant now) {
        if (lastWrite != null && earlyDeaths >= 2 && lastWrite.isAfter(now.minus(window))) {
            for (int i = 0; i < Math.min(earlyDeaths, MAX_HISTORY); i++) {
                deaths.addLast(new Death(lastWrite, false));
            }
        }
    }

    /** systemd's {@code NRestarts} read at {@code at}; each rise since the last read is a restart. */
    void nRestarts(long nRestarts, Instant at) {
        if (lastNRestarts >= 0 && nRestarts > lastNRestarts) {
            for (long i = 0; i < Math.min(nRestarts - lastNRestarts, MAX_HISTORY); i++) {
                addBounded(serviceRestarts, at);
            }
        }
        lastNRestarts = nRestarts;
    }

    /** A new run begins: its children's deaths are judged from scratch (systemd's restarts stay). */
    void forgetDeaths() {
        deaths.clear();
    }

    /** Drops what happened before W ended at {@code now}; call it before the questions below. */
    void expire(Instant now) {
        Instant since = now.minus(window);
        deaths.removeIf(d -> d.at().isBefore(since));
        serviceRestarts.removeIf(t -> t.isBefore(since));
    }

    /** systemd restarted procServ twice or more within W. */
    boolean restartsLoop() {
        return serviceRestarts.size() >= 2;
    }

    /**
     * Rule 7: two or more children died before their marker and the current child has not reached
     * it; or two or more died after their marker; or one died after its marker, or systemd restarted
     * procServ twice or more, and the current child has not settled.
     *
     * @param reached the current child reached its marker
     * @param settled the current child lives and has been past its marker for the settle time
     */
    boolean crashLoop(boolean reached, boolean settled) {
        long early = deaths.stream().filter(d -> !d.afterMarker()).count();
        long late = deaths.size() - early;
        return !reached && early >= 2 || late >= 2 || late == 1 && !settled || restartsLoop() && !settled;
    }

    private static <T> void addBounded(Deque<T> history, T item) {
        history.addLast(item);
        if (history.size() > MAX_HISTORY) {
            history.removeFirst();
        }
    }
}
