package io.iocagent.testbed;

import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.ops.OperationException;
import io.iocagent.ops.Session;
import io.iocagent.ops.SystemdConnector;
import io.iocagent.posix.Account;
import io.iocagent.systemd.UnitControl;
import io.iocagent.systemd.UnitQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A command line's session ({@code --local}) on a {@link TestBed}'s user manager, with the command
 * line's own lean connections ({@link SystemdConnector#control}, {@link SystemdConnector#queries})
 * and dbus-java refused: what a command opens is recorded, so a test can pin its D-Bus calls.
 */
public final class CommandLineSession {

    /** What a command does in the session. */
    @FunctionalInterface
    public interface Command {
        void run(Session session) throws OperationException;
    }

    /**
     * The connections one command opened, in order.
     *
     * @param controls the lean controls (jobs, reloads, states)
     * @param queries  the lean read-only queries
     */
    public record Opened(List<UnitControl> controls, List<UnitQuery> queries) {
    }

    private CommandLineSession() {
    }

    /**
     * Runs {@code command} in a new session on {@code bed}'s manager and closes it.
     *
     * @param what names the command in the failure when it opens dbus-java
     */
    public static Opened run(TestBed bed, String what, Command command) throws OperationException {
        Account account = Account.current(bed.env());
        Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), account);
        List<UnitControl> controls = new ArrayList<>();
        List<UnitQuery> queries = new ArrayList<>();
        Supplier<UnitControl> control = SystemdConnector.control(layout, bed.env(), account);
        Supplier<UnitQuery> query = SystemdConnector.queries(layout, bed.env(), account);
        try (Session session = new Session(layout, account, bed.env(), ScriptTerminal.quiet(), false,
                () -> {
                    throw new AssertionError(what + " must not open dbus-java");
                },
                () -> record(controls, control.get()),
                () -> record(queries, query.get()))) {
            command.run(session);
        }
        return new Opened(List.copyOf(controls), List.copyOf(queries));
    }

    private static <T> T record(List<T> opened, T connection) {
        opened.add(connection);
        return connection;
    }
}
