package io.iocagent.model;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes reported by other threads (the D-Bus signal thread, the directory watch), handed to the
 * refresher's thread in batches: the first change schedules one drain after a short delay, and every
 * change that arrives until the drain runs joins that batch. A burst of signals for one systemd
 * transition thus costs one read, and the reporting thread only adds to a set.
 *
 * @param <T> what changed (an IOC name)
 */
final class ChangeQueue<T> {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeQueue.class);

    /** Receives one batch on the refresher's thread. */
    @FunctionalInterface
    interface Drain<T> {
        /**
         * @param changed    the items reported since the last batch, never null
         * @param everything true when something reported that any item may have changed
         */
        void accept(Set<T> changed, boolean everything);
    }

    private final ScheduledExecutorService executor;
    private final long delayMillis;
    private final Drain<T> drain;
    private final Set<T> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean everything = new AtomicBoolean();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile long scheduledAt;

    ChangeQueue(ScheduledExecutorService executor, long delayMillis, Drain<T> drain) {
        this.executor = executor;
        this.delayMillis = delayMillis;
        this.drain = drain;
    }

    /** Reports a change of {@code item}; any thread, never blocks. */
    void add(T item) {
        pending.add(item);
        schedule();
    }

    /** Reports that anything may have changed; any thread, never blocks. */
    void addEverything() {
        everything.set(true);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            scheduledAt = System.nanoTime();
            try {
                executor.schedule(this::run, delayMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // Shut down: nobody is interested any more.
            }
        }
    }

    private void run() {
        scheduled.set(false);
        boolean all = everything.getAndSet(false);
        Set<T> batch = new HashSet<>();
        for (Iterator<T> it = pending.iterator(); it.hasNext(); ) {
            batch.add(it.next());
            it.remove();
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("A batch of {} changes ran {} µs after the first (delay {} ms)", all ? "all" : batch.size(),
                    TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - scheduledAt), delayMillis);
        }
        if (all || !batch.isEmpty()) {
            drain.accept(batch, all);
        }
    }
}
