package io.iocagent.model;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's two threads and the hand-offs between them. The <em>model thread</em>
 * ({@code ioc-model-events}) owns the {@link Fleet}: events, and the folding-in of whatever the
 * other thread read. The <em>poll thread</em> ({@code ioc-model-poll}) does the slow reading. Work
 * handed to a thread after {@link #close()} is dropped (the thread no longer takes any); work that
 * fails on the model thread is logged, and the next poll catches up.
 *
 * <p>Thread-safe; every method may be called from any thread, except as noted.
 */
final class ModelThreads implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelThreads.class);

    private final ScheduledExecutorService model = executor("ioc-model-events");
    private final ScheduledExecutorService poller = executor("ioc-model-poll");

    private static ScheduledExecutorService executor(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        // close(): pending debounced work is dropped, the running task may finish.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /** The model thread's executor, for the {@link ChangeQueue}s that hand it batches of events. */
    ScheduledExecutorService model() {
        return model;
    }

    /** Runs {@code task} on the model thread and waits for it (called on the poll thread). */
    <T> T onModel(Supplier<T> task) {
        try {
            return model.submit(task::get).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the model thread", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("The IOC model is closed.", e);
        }
    }

    /** Runs {@code task} on the model thread later; a failure is logged. */
    void onModelLater(Runnable task) {
        try {
            model.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Updating the IOC model failed; the next poll catches up", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Runs {@code task} on the poll thread later. */
    void onPollLater(Runnable task) {
        try {
            poller.execute(task);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Runs {@code task} on the poll thread now and again {@code every} after each run ended. */
    void onPollEvery(Duration first, Duration every, Runnable task) {
        poller.scheduleWithFixedDelay(task, first.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code task} on the poll thread and waits up to 30 s for it; returns at once after
     * {@link #close()}. Must not be called on either thread.
     */
    void onPollAndWait(Runnable task) {
        if (poller.isShutdown()) {
            return;
        }
        try {
            poller.submit(task).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            LOG.warn("An immediate refresh did not complete: {}", e.toString());
        }
    }

    /** True once {@link #close()} began: the threads take no more work. */
    boolean closing() {
        return poller.isShutdown();
    }

    /**
     * Stops both threads: a running task may end by itself (it is short unless systemd hangs:
     * interrupting it mid-read would only log "systemd unreachable" and "cannot read the log" while
     * shutting down); after 2 s both are interrupted, after 5 s in all this returns anyway.
     */
    @Override
    public void close() {
        poller.shutdown();
        model.shutdown();
        try {
            if (!poller.awaitTermination(2, TimeUnit.SECONDS) | !model.awaitTermination(2, TimeUnit.SECONDS)) {
                poller.shutdownNow();
                model.shutdownNow();
                if (!poller.awaitTermination(3, TimeUnit.SECONDS) || !model.awaitTermination(1, TimeUnit.SECONDS)) {
                    LOG.warn("The IOC model refresher did not stop within 5 s; closing its sources anyway.");
                }
            }
        } catch (InterruptedException e) {
            poller.shutdownNow();
            model.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
