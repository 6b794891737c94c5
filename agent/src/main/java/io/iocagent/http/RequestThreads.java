package io.iocagent.http;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The request threads of one HTTP listener: at most {@code max} daemon threads, a new one made
 * only when every thread is busy, each ended after 30 s idle. Beyond {@code max}, requests wait in
 * the queue; none is ever rejected (the server's dispatcher thread must not see a
 * {@code RejectedExecutionException}).
 *
 * <p>Why not a plain {@code ThreadPoolExecutor(max, max, …)}: below its core size it makes a new
 * thread for every task, idle threads or not, so one client reading Jolokia request after request
 * over one keep-alive connection grew the pool to its 64 threads, each with its stack, its C heap
 * arena and its cached NIO buffer. Here sequential requests share one thread.
 *
 * <p>Thread-safe.
 */
final class RequestThreads extends ThreadPoolExecutor {

    /** Tasks handed to {@link #execute} and not finished: a thread is idle when there are more threads. */
    private final AtomicInteger unfinished = new AtomicInteger();

    /**
     * @param prefix thread names: {@code prefix} and a number
     * @param max    most threads at once; positive
     */
    RequestThreads(String prefix, int max) {
        super(0, max, 30, TimeUnit.SECONDS, new HandOff(), daemons(prefix),
                (task, pool) -> ((HandOff) pool.getQueue()).queue(task));
        ((HandOff) getQueue()).pool = this;
    }

    private static java.util.concurrent.ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void execute(Runnable task) {
        unfinished.incrementAndGet();
        try {
            super.execute(() -> {
                try {
                    task.run();
                } finally {
                    unfinished.decrementAndGet(); // the thread is about to take the next task
                }
            });
        } catch (RuntimeException | Error e) {
            unfinished.decrementAndGet();
            throw e;
        }
    }

    /** Tasks handed in and not finished. */
    int busy() {
        return unfinished.get();
    }

    /**
     * The queue decides whether the pool makes a thread: it refuses a task (so the pool adds a
     * thread) only while every thread is busy and there are fewer than the maximum; the pool's
     * rejection, when it could not add one after all, queues the task.
     */
    private static final class HandOff extends LinkedBlockingQueue<Runnable> {

        private RequestThreads pool;

        @Override
        public boolean offer(Runnable task) {
            int threads = pool.getPoolSize();
            if (pool.unfinished.get() > threads && threads < pool.getMaximumPoolSize()) {
                return false;
            }
            return super.offer(task);
        }

        void queue(Runnable task) {
            super.offer(task); // unbounded: always taken; after shutdown it is simply never run
        }
    }
}
