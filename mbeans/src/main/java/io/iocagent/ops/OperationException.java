package io.iocagent.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * An operation that failed or was aborted. The message is the error sentence (printed after
 * {@code "Error: "}); the details are follow-up lines that say why or what to do next; the exit
 * code is what the command line exits with (1 for every abort, as the seed does).
 */
public final class OperationException extends Exception {

    private final List<String> details;
    private final int exitCode;
    private final boolean reported;

    private OperationException(String message, List<String> details, int exitCode, boolean reported) {
        super(message);
        this.details = List.copyOf(details);
        this.exitCode = exitCode;
        this.reported = reported;
    }

    /** A failure: {@code message} plus hint lines, exit code 1. */
    public static OperationException failure(String message, String... details) {
        return new OperationException(message, List.of(details), 1, false);
    }

    /** A failure with an explicit exit code. */
    public static OperationException failure(int exitCode, String message, List<String> details) {
        return new OperationException(message, details, exitCode, false);
    }

    /**
     * An abort whose explanation was already written to the terminal (for instance a declined
     * prompt, or a validation report); the command line prints nothing more and exits 1.
     */
    public static OperationException alreadyReported(String summary) {
        return new OperationException(summary, List.of(), 1, true);
    }

    public List<String> details() {
        return details;
    }

    public int exitCode() {
        return exitCode;
    }

    /** True when the terminal already shows why; callers must not print the message again. */
    public boolean reported() {
        return reported;
    }

    /** Message and details as one text, for callers without a terminal (JMX, HTTP). */
    public String fullText() {
        List<String> lines = new ArrayList<>();
        lines.add(getMessage());
        lines.addAll(details);
        return String.join("\n", lines);
    }
}
