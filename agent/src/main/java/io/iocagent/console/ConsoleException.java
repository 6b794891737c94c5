package io.iocagent.console;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A console socket that cannot be connected to. The message names the socket and what is wrong;
 * {@link #hint()} says what to do next (printed as a {@code ->} line by the command line).
 */
public final class ConsoleException extends IOException {

    /** Why the connection failed; each reason has its own message and next step. */
    public enum Reason {
        /** No file at the path (IOC stopped, never started, or a wrong RUN_DIR). */
        MISSING,
        /** The socket or a directory above it is not accessible to this user. */
        PERMISSION_DENIED,
        /** Something other than a socket sits at the path. */
        NOT_A_SOCKET,
        /** A socket file that nobody listens on (procServ was killed; the file is stale). */
        REFUSED,
        /** Any other I/O failure while connecting. */
        OTHER
    }

    private final Reason reason;
    private final Path socket;
    private final String hint;

    ConsoleException(Reason reason, Path socket, String message, String hint, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.socket = socket;
        this.hint = hint;
    }

    public Reason reason() {
        return reason;
    }

    public Path socket() {
        return socket;
    }

    /** The next step for the user, without the {@code "  -> "} prefix. */
    public String hint() {
        return hint;
    }
}
