package io.iocagent.cli;

import io.iocagent.ops.Terminal;
import io.iocagent.posix.Posix;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The process's own stdin, stdout and stderr as a {@link Terminal}. Not thread-safe. */
final class StdTerminal implements Terminal {

    private final PrintStream out;
    private final PrintStream err;
    private final BufferedReader in;
    private final boolean interactive;
    private final boolean colour;

    StdTerminal(InputStream in, PrintStream out, PrintStream err, boolean interactive, boolean colour) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
        this.err = err;
        this.interactive = interactive;
        this.colour = colour;
    }

    /** The real process streams; colour only on a terminal and unless NO_COLOR is set. */
    static StdTerminal system() {
        boolean colour = Posix.isTerminal(1) && System.getenv("NO_COLOR") == null;
        return new StdTerminal(System.in, System.out, System.err, Posix.isTerminal(0), colour);
    }

    @Override
    public void out(String line) {
        out.println(line);
    }

    @Override
    public void err(String line) {
        out.flush();
        err.println(line);
    }

    @Override
    public Optional<String> ask(String prompt) {
        out.flush();
        err.print(prompt);
        err.flush();
        try {
            return Optional.ofNullable(in.readLine());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the answer from standard input", e);
        }
    }

    /**
     * Reads a secret: without echo from the controlling terminal when interactive, else one line
     * of standard input (scripts: {@code printf '%s\n' "$pw" | ioc-runner credential …}).
     * Empty at end of input.
     */
    Optional<char[]> secret(String prompt) {
        java.io.Console console = System.console();
        if (interactive && console != null) {
            flush();
            return Optional.ofNullable(console.readPassword("%s", prompt));
        }
        return ask(prompt).map(String::toCharArray);
    }

    @Override
    public boolean interactive() {
        return interactive;
    }

    @Override
    public boolean colour() {
        return colour;
    }

    void flush() {
        out.flush();
        err.flush();
    }
}
