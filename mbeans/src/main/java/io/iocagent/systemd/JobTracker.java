package io.iocagent.systemd;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Matches {@code JobRemoved} signals to the jobs this process queued, by job object path.
 *
 * <p>systemd may emit {@code JobRemoved} before dbus-java has handed us the reply to
 * {@code StartUnit} (signals and replies are dispatched on different threads, and short jobs finish
 * at once). So callers announce a job with {@link #expectReply()} <em>before</em> sending the call;
 * while any such reply is outstanding, signals for unknown jobs are kept, and {@link #claim} looks
 * there first. Buffered signals are dropped as soon as no reply is outstanding, so the buffer stays
 * small. Thread-safe; the signal side only takes a short lock and completes a future, so it is cheap
 * enough to run on dbus-java's single signal thread.
 */
final class JobTracker {

    /** Upper bound on buffered signals, in case many unrelated jobs finish during one call. */
    static final int MAX_EARLY = 1024;

    private final Object lock = new Object();
    private final Map<String, CompletableFuture<String>> waiting = new HashMap<>();
    private final LinkedHashMap<String, String> early = new LinkedHashMap<>();
    private int outstandingReplies;
    private CallFailure failed;

    /** Announces a job-queuing call about to be sent; pair with {@link #claim} or {@link #replyFailed}. */
    void expectReply() {
        synchronized (lock) {
            outstandingReplies++;
        }
    }

    /** The call announced by {@link #expectReply()} failed; nothing to wait for. */
    void replyFailed() {
        synchronized (lock) {
            replyArrived();
        }
    }

    /**
     * The call announced by {@link #expectReply()} returned {@code jobPath}.
     *
     * @return completes with the job's result, or exceptionally with a {@link CallFailure} if the
     *         connection is lost first
     */
    CompletableFuture<String> claim(String jobPath) {
        CompletableFuture<String> result = new CompletableFuture<>();
        synchronized (lock) {
            String seen = early.remove(jobPath);
            replyArrived();
            if (seen != null) {
                result.complete(seen);
            } else if (failed != null) {
                result.completeExceptionally(failed);
            } else {
                waiting.put(jobPath, result);
            }
        }
        return result;
    }

    /** Stops waiting for {@code jobPath} (the caller timed out). */
    void forget(String jobPath) {
        synchronized (lock) {
            waiting.remove(jobPath);
        }
    }

    /** A {@code JobRemoved} signal arrived. */
    void onJobRemoved(String jobPath, String result) {
        CompletableFuture<String> waiter;
        synchronized (lock) {
            waiter = waiting.remove(jobPath);
            if (waiter == null && outstandingReplies > 0) {
                early.put(jobPath, result);
                if (early.size() > MAX_EARLY) {
                    Iterator<String> eldest = early.keySet().iterator();
                    eldest.next();
                    eldest.remove();
                }
            }
        }
        if (waiter != null) {
            waiter.complete(result);
        }
    }

    /** The connection is gone: no more signals will come, so fail every waiter now and later. */
    void failAll(CallFailure cause) {
        List<CompletableFuture<String>> waiters;
        synchronized (lock) {
            if (failed == null) {
                failed = cause;
            }
            waiters = new ArrayList<>(waiting.values());
            waiting.clear();
            early.clear();
        }
        waiters.forEach(w -> w.completeExceptionally(cause));
    }

    /** Number of jobs waited for, for tests. */
    int waitingCount() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    /** Number of buffered early signals, for tests. */
    int earlyCount() {
        synchronized (lock) {
            return early.size();
        }
    }

    private void replyArrived() {
        if (outstandingReplies > 0) {
            outstandingReplies--;
        }
        if (outstandingReplies == 0) {
            early.clear();
        }
    }
}
