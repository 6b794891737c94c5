package io.iocagent.console;

import io.iocagent.conf.IocName;
import io.iocagent.ops.OperationException;
import io.iocagent.ops.Terminal;
import io.iocagent.posix.RawTerminal;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code attach NAME} and {@code monitor NAME}: the built-in console client, or the external one
 * named by {@code IOC_RUNNER_CON_TOOL}.
 *
 * <p>Attach is read-write: IOC output goes to stdout, keystrokes go to the IOC, Ctrl-A detaches
 * and is not forwarded. Monitor is read-only by construction (it opens a
 * {@link ConsoleConnection#readOnly} connection, which cannot write): stdin is only watched for
 * Ctrl-A, Ctrl-C, or the terminal going away. Nothing is sent on connect: procServ does not
 * replay the pending {@code epics> } prompt to a new client (procserv.md §1.4), so the user
 * presses Enter to get one. Both end when procServ closes the connection, which it does without a
 * message when it stops (§1.10); the client then says so itself.
 *
 * <p>When stdin is a terminal it is put in raw mode for the session ({@link RawTerminal}) and
 * restored on every way out: normal return, exception (finally), and JVM shutdown (its hook).
 * The seed's header and footer lines go through the {@link Terminal}; the console bytes go to the
 * raw {@code stdout} stream (for the command line, fd 1 as well). The footer is printed after the
 * terminal is restored, so it starts with CR LF to leave a half-written {@code epics> } line.
 *
 * <p>One session at a time per instance.
 */
public final class Console {

    private static final String DIVIDER = "=".repeat(100);

    private final Terminal terminal;
    private final Optional<ConsoleTool> tool;
    private final InputStream stdin;
    private final OutputStream stdout;
    private final Supplier<Optional<RawTerminal>> rawMode;

    /**
     * @param env     the caller's environment; {@code IOC_RUNNER_CON_TOOL} is checked here, so the
     *                seed's order holds (a bad tool is reported before the socket is resolved)
     * @param stdin   the user's keystrokes (raw bytes)
     * @param stdout  where IOC output goes (raw bytes, flushed per chunk)
     * @param rawMode switches the user's terminal to raw mode for the session; {@code RawTerminal::enter}
     *                for the real terminal, {@code Optional::empty} for streams that are not one
     * @throws OperationException {@code IOC_RUNNER_CON_TOOL} is set but not an executable file
     */
    public Console(Terminal terminal, Map<String, String> env, InputStream stdin, OutputStream stdout,
                         Supplier<Optional<RawTerminal>> rawMode) throws OperationException {
        this.terminal = terminal;
        this.tool = ConsoleTool.fromEnvironment(env);
        this.stdin = stdin;
        this.stdout = stdout;
        this.rawMode = rawMode;
    }

    /**
     * The client for the command line: the process's own stdin, raw mode on a terminal, and fd 1
     * unwrapped for the console bytes (System.out is a PrintStream, which hides write errors such
     * as a closed pipe). The terminal's own lines still go through System.out, which flushes per line.
     */
    public static Console forProcess(Terminal terminal, Map<String, String> env) throws OperationException {
        return new Console(terminal, env, System.in, new FileOutputStream(FileDescriptor.out), RawTerminal::enter);
    }

    /**
     * Attaches to the console of IOC {@code name} at {@code socket} until the user detaches or
     * procServ closes the connection.
     *
     * @return 0 (detached or closed by the IOC), or the external tool's exit status
     * @throws OperationException the socket cannot be connected to (message names it, hint says
     *                            what to do), or the connection failed mid-session
     */
    public int attach(IocName name, Path socket) throws OperationException {
        terminal.err(DIVIDER);
        if (tool.isPresent()) {
            header("Attaching to " + name + " via con:", socket, "Use Ctrl-A to exit the console.");
            return tool.get().run(socket, false);
        }
        header("Attaching to " + name + " via built-in console:", socket, "Use Ctrl-A to detach.");
        ConsoleConnection.ReadWrite connection = connect(() -> ConsoleConnection.readWrite(socket));
        return session(name, connection, Optional.of(connection.output()));
    }

    /**
     * Watches the console of IOC {@code name} at {@code socket}; not one byte is sent to procServ.
     *
     * @return 0 (user exited or closed by the IOC), or the external tool's exit status
     * @throws OperationException as for {@link #attach}
     */
    public int monitor(IocName name, Path socket) throws OperationException {
        terminal.err(DIVIDER);
        if (tool.isPresent()) {
            header("Monitoring " + name + " (Read-Only Mode) via con:", socket, "Use Ctrl-A to exit.");
            return tool.get().run(socket, true);
        }
        header("Monitoring " + name + " (Read-Only Mode) via built-in console:", socket, "Use Ctrl-C or Ctrl-A to exit.");
        ConsoleConnection connection = connect(() -> ConsoleConnection.readOnly(socket));
        return session(name, connection, Optional.empty());
    }

    private void header(String first, Path socket, String keys) {
        terminal.out(first);
        terminal.out("Path: " + socket);
        terminal.out(keys);
        terminal.err(DIVIDER);
    }

    private interface Opener<C extends ConsoleConnection> {
        C open() throws ConsoleException;
    }

    private static <C extends ConsoleConnection> C connect(Opener<C> opener) throws OperationException {
        try {
            return opener.open();
        } catch (ConsoleException e) {
            throw OperationException.failure(e.getMessage(), "  -> " + e.hint());
        }
    }

    private int session(IocName name, ConsoleConnection connection, Optional<OutputStream> toIoc)
            throws OperationException {
        Relay.End end;
        try (connection) {
            Optional<RawTerminal> raw = raw();
            try {
                end = new Relay(connection.input(), toIoc, connection, stdin, stdout, terminal.interactive()).run();
            } finally {
                raw.ifPresent(RawTerminal::restore);
            }
            stdout.flush();
        } catch (IOException e) {
            throw OperationException.failure("Console session with " + name + " (" + connection.path() + ") failed: "
                    + e.getMessage() + ".", "  -> Check the IOC's state (ioc-runner status " + name + ") and try again.");
        }
        terminal.out(end == Relay.End.DETACHED
                ? "\r\nDetached from " + name + "."
                : "\r\nConnection closed by the IOC (procServ stopped or the console was closed).");
        return 0;
    }

    private Optional<RawTerminal> raw() throws OperationException {
        try {
            return rawMode.get();
        } catch (UncheckedIOException e) {
            throw OperationException.failure(e.getCause().getMessage() + ".",
                    "  -> Run with stdin redirected, or set " + ConsoleTool.VARIABLE + " to an external console client.");
        }
    }
}
