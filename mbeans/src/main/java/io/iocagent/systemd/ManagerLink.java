package io.iocagent.systemd;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call connection to one systemd manager: opened on first use, reopened after it is lost, and
 * a call retried once when that is safe. One long-lived, unshared {@link BusSession} (a shared
 * dbus-java connection would be handed to any other {@code build()} for the same address, with
 * that caller's settings).
 *
 * <p><b>Retry.</b> A call that finds the connection already gone, before sending, is retried once
 * on a new connection; a read whose connection drops while it waits is retried once as well; a
 * write (start, enable, …) whose connection drops after sending is not, because systemd may have
 * acted. A call that finds the manager gone from a bus whose daemon lives on ({@code ServiceUnknown}
 * for its unique name) is retried on a new connection, which reaches the new manager.
 *
 * <p><b>Threads.</b> Thread-safe; calls share the connection and are not serialised, opening one is.
 * {@code onCall} runs with that lock held on every call, so what it keeps (the signal feed) is
 * checked as often as the connection is.
 */
final class ManagerLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ManagerLink.class);

    /** A unit of work on one session; may throw {@link CallFailure} for the caller to translate. */
    @FunctionalInterface
    interface Work<T> {
        T run(BusSession session) throws CallFailure;
    }

    private final String address;
    private final Duration callTimeout;
    private final ManagerEndpoint endpoint;
    private final ConnectionOpener opener;
    private final Runnable onCall;

    private final Object lock = new Object();
    private BusSession session; // guarded by lock
    private boolean closed; // guarded by lock
    private int sessionsOpened; // guarded by lock

    ManagerLink(String address, Duration callTimeout, ManagerEndpoint endpoint, ConnectionOpener opener,
                Runnable onCall) {
        this.address = address;
        this.callTimeout = callTimeout;
        this.endpoint = endpoint;
        this.opener = opener;
        this.onCall = onCall;
    }

    /**
     * Runs {@code work} on the current session, reconnecting first if it is dead. Retries once on a
     * new session if the call never left (the connection was already gone), or, for
     * {@code idempotent} work, if the connection dropped while waiting.
     *
     * @throws SystemdException what {@link ManagerEndpoint#explain} makes of the failure
     */
    <T> T invoke(Action action, boolean idempotent, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            BusSession s = session(action);
            try {
                return work.run(s);
            } catch (CallFailure f) {
                if (f.busGone()) {
                    discard(s);
                }
                boolean retry = attempt == 1 && (f.kind() == CallFailure.Kind.NOT_SENT || f.managerLeft()
                        || idempotent && f.kind() == CallFailure.Kind.CONNECTION_LOST);
                if (!retry) {
                    throw endpoint.explain(action, f);
                }
                LOG.debug("Retrying '{}' on a new connection after: {}", action.describe(), f.detail());
            }
        }
    }

    /** The live session, opening a new one if there is none. */
    BusSession session(Action action) {
        synchronized (lock) {
            requireOpen();
            if (session != null && session.isAlive()) {
                onCall.run();
                return session;
            }
            if (session != null) {
                session.close();
                session = null;
            }
            try {
                session = opener.open(() -> BusSession.open(address, callTimeout), BusSession::close);
            } catch (CallFailure f) {
                throw endpoint.explain(action, f);
            }
            sessionsOpened++;
            LOG.debug("Connected to systemd at {} (connection {})", address, sessionsOpened);
            onCall.run();
            return session;
        }
    }

    /** Forgets {@code dead} (if it is still the current session) and closes it. */
    void discard(BusSession dead) {
        synchronized (lock) {
            if (session == dead) {
                session = null;
            }
        }
        dead.close();
    }

    /** Runs {@code action} with the connection lock held, after checking the link is open. */
    void whileOpen(Runnable action) {
        synchronized (lock) {
            requireOpen();
            action.run();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("This SystemdBus (" + address + ") is closed.");
        }
    }

    /** Whether {@link #close()} was called. */
    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** How many connections were opened (each one subscribed anew); for tests. */
    int sessionsOpened() {
        synchronized (lock) {
            return sessionsOpened;
        }
    }

    /** Closes the connection; later calls throw {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        BusSession last;
        synchronized (lock) {
            closed = true;
            last = session;
            session = null;
        }
        if (last != null) {
            last.close();
        }
    }
}
