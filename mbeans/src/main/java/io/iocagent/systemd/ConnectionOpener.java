package io.iocagent.systemd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Opens D-Bus connections so that a bus which accepts but never answers cannot hang the caller:
 * each attempt runs on a thread of a small pool and the caller waits at most the call timeout. A
 * few threads, not one: an attempt stuck inside dbus-java must not block the next one; when
 * {@value #MAX_CONNECT_THREADS} attempts hang at once, the next fails at once without trying.
 * Thread-safe.
 */
final class ConnectionOpener implements AutoCloseable {

    /** Connection attempts that may hang at the same time before we give up without trying. */
    static final int MAX_CONNECT_THREADS = 4;

    /** Opens a connection of some kind; fails with a {@link CallFailure}. */
    @FunctionalInterface
    interface Opener<T> {
        T open() throws CallFailure;
    }

    private final Duration callTimeout;
    private final ThreadPoolExecutor threads;

    ConnectionOpener(Duration callTimeout) {
        this.callTimeout = callTimeout;
        this.threads = new ThreadPoolExecutor(0, MAX_CONNECT_THREADS, 10, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "systemd-bus-connect");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Runs {@code opener} on a connector thread and waits at most the call timeout; a connection
     * that arrives after we stopped waiting is closed with {@code close}.
     */
    <T> T open(Opener<T> opener, Consumer<T> close) throws CallFailure {
        CompletableFuture<T> opening;
        try {
            opening = CompletableFuture.supplyAsync(() -> {
                try {
                    return opener.open();
                } catch (CallFailure f) {
                    throw new CompletionException(f);
                }
            }, threads);
        } catch (RejectedExecutionException e) {
            throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, null,
                    MAX_CONNECT_THREADS + " earlier connection attempts are still hanging", e);
        }
        try {
            return opening.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            opening.thenAccept(close);
            throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, null,
                    "no answer within " + ManagerEndpoint.seconds(callTimeout) + " while connecting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CallFailure f) {
                throw f;
            }
            throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, null, CallFailure.describe(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opening.thenAccept(close);
            throw new CallFailure(CallFailure.Kind.INTERRUPTED, null, "interrupted while connecting", e);
        }
    }

    /** Stops the threads; attempts still hanging are abandoned. */
    @Override
    public void close() {
        threads.shutdownNow();
    }
}
