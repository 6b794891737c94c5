package io.iocagent.systemd;

import java.util.Objects;

/**
 * Why one D-Bus call (or connecting) failed, before {@link SystemdBus} turns it into a
 * {@link SystemdException} that names the operation and unit. Package-internal.
 */
final class CallFailure extends Exception {

    enum Kind {
        /** systemd (or the bus) answered with a D-Bus error; {@link #errorName()} names it. */
        REMOTE_ERROR,
        /** No reply within the call timeout while the connection stayed up. */
        TIMEOUT,
        /** The connection was already down: the call certainly never reached systemd. */
        NOT_SENT,
        /** The connection went down after the call was sent: systemd may or may not have acted. */
        CONNECTION_LOST,
        /** Opening a new connection (connect, authenticate, Hello, AddMatch, Subscribe) failed. */
        CONNECT_FAILED,
        /** The calling thread was interrupted while waiting; its interrupt flag is still set. */
        INTERRUPTED
    }

    private final Kind kind;
    private final String errorName;

    CallFailure(Kind kind, String errorName, String detail, Throwable cause) {
        super(detail, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.errorName = errorName;
    }

    CallFailure(Kind kind, String detail) {
        this(kind, null, detail, null);
    }

    Kind kind() {
        return kind;
    }

    /** The D-Bus error name for {@link Kind#REMOTE_ERROR}, else null. */
    String errorName() {
        return errorName;
    }

    /** Human-readable detail, never null, never a stack trace. */
    String detail() {
        return getMessage() == null ? kind.name() : getMessage();
    }

    /** True if the failure means the bus (not systemd) let us down, so a new connection may help. */
    boolean busGone() {
        return kind == Kind.NOT_SENT || kind == Kind.CONNECTION_LOST || kind == Kind.CONNECT_FAILED || managerLeft();
    }

    /**
     * True if the bus daemon answered that the manager's unique name has no owner: the manager left
     * the bus (killed, or replaced by one on a new bus daemon) and the call never reached it.
     */
    boolean managerLeft() {
        return kind == Kind.REMOTE_ERROR && ("org.freedesktop.DBus.Error.ServiceUnknown".equals(errorName)
                || "org.freedesktop.DBus.Error.NameHasNoOwner".equals(errorName));
    }

    /** Message of {@code t} and its causes, without class names or stack frames. */
    static String describe(Throwable t) {
        StringBuilder text = new StringBuilder();
        for (Throwable c = t; c != null && text.length() < 400; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            if (m == null || m.isBlank() || text.indexOf(m) >= 0) {
                continue;
            }
            if (text.length() > 0) {
                text.append(": ");
            }
            text.append(m.strip());
        }
        return text.length() > 0 ? text.toString() : t.getClass().getSimpleName();
    }
}
