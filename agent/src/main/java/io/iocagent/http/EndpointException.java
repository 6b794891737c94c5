package io.iocagent.http;

import java.util.List;

/**
 * An HTTP endpoint that cannot start as configured (bad settings, refused bind, unreadable policy
 * or keystore). The message says what failed; {@link #hints()} say what to do next.
 */
public final class EndpointException extends RuntimeException {

    private final List<String> hints;

    public EndpointException(String message, String... hints) {
        super(message);
        this.hints = List.of(hints);
    }

    public EndpointException(String message, Throwable cause, String... hints) {
        super(message, cause);
        this.hints = List.of(hints);
    }

    /** Lines to print after the message, each starting with {@code "-> "}. */
    public List<String> hints() {
        return hints;
    }

    /** The message without its hints, for callers that print the hints on lines of their own. */
    public String problem() {
        return super.getMessage();
    }

    /** The problem and its hints, one per line: for callers that print only the message. */
    @Override
    public String getMessage() {
        return hints.isEmpty() ? super.getMessage() : super.getMessage() + "\n" + String.join("\n", hints);
    }
}
