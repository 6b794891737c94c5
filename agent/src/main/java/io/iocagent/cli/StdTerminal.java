package io.iocagent.cli;

import io.iocagent.ops.Progress;
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

/**
 * The process's own stdin, stdout and stderr as a {@link Terminal}. Lines are written under the
 * terminal's lock, which a {@link StatusLine}'s redraws share; one caller at a time otherwise.
 */
final class StdTerminal implements Terminal {

    private final PrintStream out;
    private final PrintStream err;
    private final BufferedReader in;
    private final boolean interactive;
    private final boolean colour;
    /** Columns of the terminal stderr is, for a status line; 0 when stderr is no terminal. */
    private final int statusWidth;
    private StatusLine status;

    StdTerminal(InputStream in, PrintStream out, PrintStream err, boolean interactive, boolean colour) {
        this(in, out, err, interactive, colour, 0);
    }

    StdTerminal(InputStream in, PrintStream out, PrintStream err, boolean interactive, boolean colour, int statusWidth) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
        this.err = err;
        this.interactive = interactive;
        this.colour = colour;
        this.statusWidth = statusWidth;
    }

    /**
     * The real process streams; colour only when stdout is a terminal and NO_COLOR is unset; a
     * status line for long waits only when stderr is a terminal that is not {@code TERM=dumb}.
     */
    static StdTerminal system() {
        boolean colour = Posix.isTerminal(1) && System.getenv("NO_COLOR") == null;
        boolean statusLine = Posix.isTerminal(2) && !"dumb".equals(System.getenv("TERM"));
        return new StdTerminal(System.in, System.out, System.err, Posix.isTerminal(0), colour,
                statusLine ? columns(System.getenv("COLUMNS")) : 0);
    }

    /** The terminal's width from {@code COLUMNS} when a shell exported it, else the classic 80. */
    static int columns(String value) {
        if (value != null && value.matches("[1-9][0-9]{1,3}")) {
            return Integer.parseInt(value);
        }
        return 80;
    }

    @Override
    public synchronized void out(String line) {
        eraseStatus();
        out.println(line);
    }

    @Override
    public synchronized void err(String line) {
        eraseStatus();
        out.flush();
        err.println(line);
    }

    @Override
    public synchronized Progress progress() {
        if (statusWidth == 0) {
            return Progress.NONE;
        }
        status = new StatusLine(out, err, this, statusWidth);
        return status;
    }

    private void eraseStatus() {
        if (status != null) {
            status.erase();
        }
    }

    @Override
    public synchronized Optional<String> ask(String prompt) {
        eraseStatus();
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
