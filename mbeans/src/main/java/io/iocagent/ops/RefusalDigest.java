package io.iocagent.ops;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Refusals written at most once per caller, member and interval, with a count: a console that
 * polls something it may not call leaves one line per interval instead of one per poll. The
 * first refusal of a caller (surface, user, role, address) for an action on a member of an MBean,
 * for one IOC (the manager's {@code stop(name)} of two IOCs are two), is written at once; the same refusals within the next
 * {@code interval} are only counted; when the interval ends with any counted, one line stands for
 * them — the last one's fields plus {@code count=N} — and a new interval begins; an interval that
 * ends with none closes the window, so the next refusal is again written at once.
 *
 * <p>Only {@link AuditLog.Outcome#DENIED} events are digested: every operation that runs keeps its
 * own lines. Thread-safe; the windows are closed by one daemon timer thread.
 */
final class RefusalDigest implements AutoCloseable {

    /** What makes two refusals "the same": everything but arguments, outcome text and time. */
    private record Key(String surface, String user, String role, String remote, String action, String ioc,
                       String mbean, String member) {
        static Key of(AuditLog.Event e) {
            return new Key(e.surface(), e.user(), e.role(), e.remote(), e.action(), e.ioc(), e.mbean(), e.member());
        }
    }

    /** An open interval: refusals counted since the last line, and the latest of them. */
    private static final class Window {
        long counted;
        AuditLog.Event last;
    }

    /** At most this many open windows; past it refusals are written one by one (never lost). */
    static final int MAX_WINDOWS = 10_000;

    private final Duration interval;
    private final Consumer<String> out;
    private final ScheduledExecutorService timer;
    private final Map<Key, Window> windows = new HashMap<>(); // guarded by this

    RefusalDigest(Duration interval, Consumer<String> out) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the refusal interval must be positive, not " + interval);
        }
        this.interval = interval;
        this.out = out;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "audit-refusals");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = t;
    }

    /** Writes {@code e} now, or counts it for the line at the end of its interval. */
    void offer(AuditLog.Event e) {
        Key key = Key.of(e);
        synchronized (this) {
            Window w = windows.get(key);
            if (w != null) {
                w.counted++;
                w.last = e;
                return;
            }
            if (windows.size() < MAX_WINDOWS) {
                windows.put(key, new Window());
                schedule(key);
            }
        }
        out.accept(AuditLog.format(e));
    }

    private void schedule(Key key) {
        try {
            timer.schedule(() -> close(key), interval.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            windows.remove(key); // shut down: nothing is held back any more
        }
    }

    /** The end of {@code key}'s interval: one line for what was counted, or the window closes. */
    private void close(Key key) {
        AuditLog.Event last;
        long counted;
        synchronized (this) {
            Window w = windows.get(key);
            if (w == null) {
                return;
            }
            if (w.counted == 0) {
                windows.remove(key);
                return;
            }
            last = w.last;
            counted = w.counted;
            w.counted = 0;
            w.last = null;
            schedule(key);
        }
        out.accept(line(last, counted));
    }

    /** The line that stands for {@code counted} refusals: the last one with {@code count=N}. */
    static String line(AuditLog.Event last, long counted) {
        return AuditLog.format(last) + " count=" + counted;
    }

    /** Callers with an open interval (for tests). */
    synchronized int openWindows() {
        return windows.size();
    }

    /** Writes every count still held back and stops the timer. */
    @Override
    public void close() {
        Map<Key, Window> pending;
        synchronized (this) {
            pending = new HashMap<>(windows);
            windows.clear();
        }
        timer.shutdownNow();
        pending.values().stream().filter(w -> w.counted > 0).forEach(w -> out.accept(line(w.last, w.counted)));
    }
}
