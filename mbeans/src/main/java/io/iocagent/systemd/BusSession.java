package io.iocagent.systemd;

import java.io.IOException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.freedesktop.dbus.DBusAsyncReply;
import org.freedesktop.dbus.RemoteInvocationHandler;
import org.freedesktop.dbus.RemoteObject;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.exceptions.NotConnected;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.matchrules.DBusMatchRule;
import org.freedesktop.dbus.matchrules.DBusMatchRuleBuilder;
import org.freedesktop.dbus.messages.Error;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MethodCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One D-Bus connection to systemd with its signal subscription; {@link SystemdBus} replaces it
 * when it dies. Package-internal.
 *
 * <p>Calls go out through dbus-java's asynchronous path and are awaited here with our own
 * deadline, because the only reply timeout dbus-java offers for synchronous proxy calls is the
 * JVM-global {@code MethodCall.setDefaultTimeout} (20 s). Going through {@link RemoteObject}
 * directly (instead of {@code getRemoteObject} proxies) also keeps dbus-java's imported-object map
 * from growing with every unit path we touch, and gives access to the D-Bus error name, which
 * dbus-java's exceptions lose for errors it has no Java class for ({@code org.freedesktop.systemd1.NoSuchUnit}).
 *
 * <p>Thread-safe: any number of threads may call concurrently on one session.
 */
final class BusSession implements AutoCloseable {

    static final String SYSTEMD = "org.freedesktop.systemd1";
    static final String MANAGER_PATH = "/org/freedesktop/systemd1";
    static final String BUS_NAME = "org.freedesktop.DBus";
    static final String BUS_PATH = "/org/freedesktop/DBus";

    /**
     * {@code NameOwnerChanged} of {@code org.freedesktop.systemd1} only: tells a connection that the
     * manager left the bus (killed, or replaced by one on a new bus daemon).
     */
    static final DBusMatchRule MANAGER_OWNER = DBusMatchRuleBuilder.create()
            .withType("signal")
            .withSender(BUS_NAME)
            .withInterface(BUS_NAME)
            .withMember("NameOwnerChanged")
            .withArg0123(0, SYSTEMD)
            .build();

    private static final Logger LOG = LoggerFactory.getLogger(BusSession.class);

    /** Longest single wait for a reply before re-checking that the connection is still up. */
    private static final long POLL_MILLIS = 200;
    /** The name of the error dbus-java makes up for a call it could not write. */
    static final String SEND_FAILED = DBusExecutionException.class.getName();

    private static final Method SUBSCRIBE = method(Systemd1Manager.class, "Subscribe");
    private static final Method GET_NAME_OWNER = method(DBus.class, "GetNameOwner", String.class);

    /** A call on its way: await it with {@link #await}. */
    record Pending(MethodCall call, Method method) {
    }

    private final String address;
    private final Duration callTimeout;
    private final JobTracker jobs = new JobTracker();
    private final AtomicBoolean alive = new AtomicBoolean(true);
    private final AtomicBoolean closing = new AtomicBoolean();
    private final DBusConnection connection;
    /** The manager's unique bus name: calls go to it, so they fail at once when it has gone. */
    private volatile String manager = SYSTEMD;

    private BusSession(String address, Duration callTimeout) throws DBusException {
        this.address = address;
        this.callTimeout = callTimeout;
        this.connection = UnsharedConnection.open(address, this::lost, () -> lost("connection closed"));
    }

    /**
     * Connects, finds the manager's unique name ({@link #managerName}), registers the
     * {@code JobRemoved} handler and calls {@code Subscribe()} (signals only flow to subscribed
     * connections, and subscriptions die with the connection). The session dies when the manager
     * leaves the bus ({@code NameOwnerChanged}), even while the bus daemon lives on. Blocks; connect,
     * authentication and {@code AddMatch} are bounded only by dbus-java's own 20 s default, so the
     * caller should bound the whole call.
     */
    static BusSession open(String address, Duration callTimeout) throws CallFailure {
        BusSession session;
        try {
            session = new BusSession(address, callTimeout);
        } catch (DBusException | RuntimeException e) {
            throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, null, CallFailure.describe(e), e);
        }
        try {
            session.connection.addGenericSigHandler(MANAGER_OWNER, s -> {
                if (!ownerChange(s).equals(session.manager)) {
                    session.lost("systemd (" + session.manager + ") left the bus");
                }
            });
            session.manager = managerName(session);
            session.connection.addSigHandler(Systemd1Manager.JobRemoved.class,
                    s -> session.jobs.onJobRemoved(s.getJob().getPath(), s.getResult()));
            session.call(MANAGER_PATH, SUBSCRIBE);
            return session;
        } catch (DBusException | RuntimeException e) {
            session.close();
            throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, null, CallFailure.describe(e), e);
        } catch (CallFailure e) {
            session.close();
            throw e.kind() == CallFailure.Kind.REMOTE_ERROR
                    ? e
                    : new CallFailure(CallFailure.Kind.CONNECT_FAILED, e.errorName(), e.detail(), e);
        }
    }

    /**
     * The unique name that owns {@code org.freedesktop.systemd1} on {@code session}'s bus.
     *
     * @throws CallFailure {@code CONNECT_FAILED} when nobody owns it: the bus daemon answers, but
     *                     no manager is on it (it was killed, or a new one runs on a new bus daemon)
     */
    static String managerName(BusSession session) throws CallFailure {
        try {
            return (String) session.await(session.sendTo(BUS_NAME, BUS_PATH, GET_NAME_OWNER, SYSTEMD),
                    System.nanoTime() + session.callTimeout.toNanos());
        } catch (CallFailure f) {
            if (f.kind() == CallFailure.Kind.REMOTE_ERROR) {
                throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, f.errorName(), "the bus at " + session.address
                        + " answers, but no systemd manager is on it (" + f.detail() + ")", f);
            }
            throw f;
        }
    }

    /** The new owner a {@code NameOwnerChanged} signal announces; empty when the name was released. */
    static String ownerChange(org.freedesktop.dbus.messages.DBusSignal signal) {
        try {
            Object[] args = signal.getParameters();
            return args != null && args.length == 3 && args[2] instanceof String owner ? owner : "";
        } catch (DBusException e) {
            return "";
        }
    }

    /** False once the connection is closed or lost; a dead session never comes back. */
    boolean isAlive() {
        return alive.get() && connection.isConnected();
    }

    JobTracker jobs() {
        return jobs;
    }

    /** Sends {@code method} to the systemd object at {@code path} and waits up to the call timeout. */
    Object call(String path, Method method, Object... args) throws CallFailure {
        return await(send(path, method, args), System.nanoTime() + callTimeout.toNanos());
    }

    /** {@link #call}, waiting as long as {@code action} needs ({@link Action#wait}). */
    Object call(Action action, String path, Method method, Object... args) throws CallFailure {
        return await(send(path, method, args), System.nanoTime() + action.wait(callTimeout).toNanos());
    }

    /**
     * Sends a call without waiting, so that many can be in flight at once. The interface is the
     * method's declaring interface ({@link Systemd1Manager} or {@code Properties}).
     */
    Pending send(String path, Method method, Object... args) throws CallFailure {
        return sendTo(manager, path, method, args);
    }

    @SuppressWarnings("unchecked")
    private Pending sendTo(String destination, String path, Method method, Object... args) throws CallFailure {
        if (!isAlive()) {
            throw new CallFailure(CallFailure.Kind.NOT_SENT, "not connected");
        }
        RemoteObject target = new RemoteObject(destination, path,
                (Class<? extends DBusInterface>) method.getDeclaringClass(), false);
        try {
            DBusAsyncReply<?> reply = (DBusAsyncReply<?>) RemoteInvocationHandler.executeRemoteMethod(
                    target, method, connection, RemoteInvocationHandler.CALL_TYPE_ASYNC, null, args);
            return new Pending(reply.getCall(), method);
        } catch (NotConnected e) {
            throw new CallFailure(CallFailure.Kind.NOT_SENT, null, "not connected", e);
        } catch (DBusException | RuntimeException e) {
            if (!isAlive()) {
                throw new CallFailure(CallFailure.Kind.NOT_SENT, null, CallFailure.describe(e), e);
            }
            throw new CallFailure(CallFailure.Kind.REMOTE_ERROR, null,
                    "could not send " + method.getName() + ": " + CallFailure.describe(e), e);
        }
    }

    /**
     * Waits for the reply to {@code pending} until {@code deadlineNanos} ({@link System#nanoTime()}
     * scale) and converts it to the method's Java return type.
     */
    Object await(Pending pending, long deadlineNanos) throws CallFailure {
        Message reply;
        while (true) {
            long remaining = deadlineNanos - System.nanoTime();
            // getReply(0) would wait forever; getReply may also return early (spurious wake-up).
            long slice = Math.max(1, Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(remaining)));
            reply = pending.call().getReply(slice);
            if (reply != null) {
                break;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new CallFailure(CallFailure.Kind.INTERRUPTED, "interrupted while waiting for the reply to "
                        + pending.method().getName());
            }
            if (!isAlive()) {
                throw new CallFailure(CallFailure.Kind.CONNECTION_LOST,
                        "connection lost while waiting for the reply to " + pending.method().getName());
            }
            if (deadlineNanos - System.nanoTime() <= 0) {
                throw new CallFailure(CallFailure.Kind.TIMEOUT, "no reply to " + pending.method().getName()
                        + " in time");
            }
        }
        if (reply instanceof Error error) {
            throw new CallFailure(errorReplyKind(error.getName(), isAlive()), error.getName(), errorText(error), null);
        }
        try {
            return RemoteInvocationHandler.convertRV(reply.getParameters(), pending.method(), connection);
        } catch (DBusException | RuntimeException e) {
            throw new CallFailure(CallFailure.Kind.REMOTE_ERROR, null,
                    "could not decode the reply to " + pending.method().getName() + ": " + CallFailure.describe(e), e);
        }
    }

    @Override
    public void close() {
        if (closing.getAndSet(true)) {
            return;
        }
        alive.set(false);
        jobs.failAll(new CallFailure(CallFailure.Kind.CONNECTION_LOST, "connection closed"));
        try {
            connection.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing the D-Bus connection to {} failed", address, e);
        }
    }

    static Method method(Class<?> type, String name, Class<?>... parameterTypes) {
        try {
            return type.getMethod(name, parameterTypes);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("D-Bus interface " + type.getName() + " lacks " + name, e);
        }
    }

    /**
     * What an error reply means. dbus-java answers pending calls with a local error when the
     * connection drops, and a call whose write failed with a local error named after its
     * {@link DBusExecutionException} ("Message Failed to Send: …") even before its reader has
     * noticed the connection is gone: both are a lost connection, never systemd's answer.
     */
    static CallFailure.Kind errorReplyKind(String errorName, boolean connectionAlive) {
        return !connectionAlive || SEND_FAILED.equals(errorName) ? CallFailure.Kind.CONNECTION_LOST
                : CallFailure.Kind.REMOTE_ERROR;
    }

    private static String errorText(Error error) {
        try {
            Object[] params = error.getParameters();
            if (params != null && params.length > 0 && params[0] instanceof String text && !text.isBlank()) {
                return text.strip();
            }
        } catch (DBusException | RuntimeException e) {
            LOG.debug("Unreadable D-Bus error body", e);
        }
        return error.getName() == null ? "unknown D-Bus error" : error.getName();
    }

    /** Marks the session dead and fails the jobs waiting on it; called on dbus-java's threads. */
    private void lost(String why) {
        if (alive.getAndSet(false) && !closing.get()) {
            LOG.warn("Lost the D-Bus connection to systemd at {}: {}", address, why);
        }
        jobs.failAll(new CallFailure(CallFailure.Kind.CONNECTION_LOST, why));
    }
}
