package io.iocagent.conf;

import java.util.List;

/** A resolved layout the tool must not run with; the message and detail lines say how to fix it. */
public final class LayoutException extends RuntimeException {

    private final List<String> details;

    public LayoutException(String message, String... details) {
        super(message);
        this.details = List.of(details);
    }

    /** Lines printed after the message, already indented. */
    public List<String> details() {
        return details;
    }
}
