package io.iocagent.conf;

import java.util.List;
import java.util.Objects;

/**
 * Every problem {@link ConfValidator} found in one conf, in the seed's order. An empty list means
 * the conf may be installed. Messages carry no "Error: " prefix; the caller adds it and, when
 * the list is not empty, the seed's closing line
 * {@code Validation failed with <n> errors. Installation aborted.}
 */
public record ValidationReport(List<Problem> errors) {

    public ValidationReport {
        errors = List.copyOf(errors);
    }

    /** True when no rule failed. */
    public boolean passed() {
        return errors.isEmpty();
    }

    /**
     * One failed rule: its message and the hint lines that tell the user what to do. Hints start
     * with {@code "Hint: "}; the seed printed them indented by two spaces under the message.
     */
    public record Problem(String message, List<String> hints) {

        public Problem {
            Objects.requireNonNull(message, "message");
            hints = List.copyOf(hints);
        }
    }
}
