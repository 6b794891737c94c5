package io.iocagent.ops;

import java.util.Optional;

/**
 * How an operation talks to whoever invoked it. The command line maps this onto stdout, stderr
 * and stdin; a JMX caller gets a non-interactive terminal whose output becomes the result.
 * Scripts parse stdout, so diagnostics, warnings and prompts go to {@link #err}.
 */
public interface Terminal {

    /** One line of regular output (stdout). */
    void out(String line);

    /** One line of diagnostics: errors, warnings, notices (stderr). */
    void err(String line);

    /**
     * Shows {@code prompt} (no newline) on the diagnostics stream and reads one line of input.
     *
     * @return the line without its terminator, or empty when input is closed (EOF)
     */
    Optional<String> ask(String prompt);

    /** True when input comes from a terminal a person types at. */
    boolean interactive();

    /** True when {@link #out} reaches a terminal, so colour is welcome. */
    boolean colour();

    /**
     * A status line for a long wait ({@link Progress}); {@link Progress#NONE} unless the
     * diagnostics stream is a person's terminal.
     */
    default Progress progress() {
        return Progress.NONE;
    }
}
