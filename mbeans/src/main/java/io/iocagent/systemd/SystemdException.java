package io.iocagent.systemd;

import java.util.Objects;
import java.util.Optional;

/**
 * A systemd operation failed. Unchecked, and thrown by every {@link SystemdBus} method.
 *
 * <p>{@link #problem()} says what failed for which unit, {@link #hint()} what to do about it;
 * {@link #getMessage()} is both, the hint on a second line starting with {@code ->}, so that JMX
 * and HTTP callers get the same text as the command line. The message never is a stack trace;
 * the D-Bus error, if any, is named in it.
 */
public final class SystemdException extends RuntimeException {

    /** What kind of failure, for callers that react differently (e.g. exit codes). */
    public enum Reason {
        /** systemd or polkit refused: {@code AccessDenied}, {@code InteractiveAuthorizationRequired}. */
        PERMISSION_DENIED,
        /** The unit or unit file does not exist ({@code NoSuchUnit}, {@code FileNotFound}). */
        NO_SUCH_UNIT,
        /** The bus cannot be reached, was lost during the call, or has no systemd on it. */
        BUS_UNREACHABLE,
        /** systemd did not answer a call within the call timeout. */
        TIMEOUT,
        /** A job was queued but did not finish within the job timeout; it may still be running. */
        JOB_TIMEOUT,
        /** Anything else systemd reported. */
        FAILED
    }

    private final Reason reason;
    private final String problem;
    private final String hint;

    SystemdException(Reason reason, String problem, String hint, Throwable cause) {
        super(problem + (hint == null ? "" : System.lineSeparator() + "-> " + hint), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.hint = hint;
    }

    public Reason reason() {
        return reason;
    }

    /** One sentence: what failed, for which unit or file. */
    public String problem() {
        return problem;
    }

    /** What to try next, if there is useful advice. */
    public Optional<String> hint() {
        return Optional.ofNullable(hint);
    }
}
