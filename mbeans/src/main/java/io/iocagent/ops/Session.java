package io.iocagent.ops;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.UnitControl;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitQuery;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything one caller's operations share: the mode's layout, who is calling, their
 * environment, how to talk to them, whether prompts are forced, and the systemd connections
 * (opened on first use, so {@code generate} never needs a bus): {@link #queries()} for what only
 * reads, {@link #systemd()} for jobs and unit files. Not thread-safe: one caller at a time.
 */
public final class Session implements AutoCloseable {

    /** Width of the seed's {@code ====} and {@code ----} dividers. */
    static final String DIVIDER = "=".repeat(100);
    static final String SUB_DIVIDER = "-".repeat(100);

    private final Layout layout;
    private final Account account;
    private final Map<String, String> env;
    private final Terminal terminal;
    private final boolean force;
    private final Supplier<SystemdBus> connector;
    private final Supplier<UnitControl> controlConnector;
    private final Supplier<UnitQuery> queryConnector;
    private final boolean ownsBus;
    private final CallerFiles files;
    private final boolean mayRunSudo;
    private SystemdBus bus;
    private UnitControl systemd;
    private UnitQuery queries;

    /**
     * @param connector opens the systemd connection of {@code layout}'s mode; called at most once
     */
    public Session(Layout layout, Account account, Map<String, String> env, Terminal terminal, boolean force,
                   Supplier<SystemdBus> connector) {
        this(layout, account, env, terminal, force, connector, null, null, true);
    }

    /**
     * @param connector      opens the systemd connection of {@code layout}'s mode; called at most once
     * @param queryConnector opens the read-only queries of that mode; called at most once, and
     *                       closed with the session
     */
    public Session(Layout layout, Account account, Map<String, String> env, Terminal terminal, boolean force,
                   Supplier<SystemdBus> connector, Supplier<UnitQuery> queryConnector) {
        this(layout, account, env, terminal, force, connector, null, queryConnector, true);
    }

    /**
     * The command line's session: jobs, reloads and states through {@code controlConnector} (its
     * lean connection), read-only questions through {@code queryConnector}, each opened on first
     * use and closed with the session.
     *
     * @param connector opens dbus-java's connection, for a control or queries not given
     */
    public Session(Layout layout, Account account, Map<String, String> env, Terminal terminal, boolean force,
                   Supplier<SystemdBus> connector, Supplier<UnitControl> controlConnector,
                   Supplier<UnitQuery> queryConnector) {
        this(layout, account, env, terminal, force, connector, controlConnector, queryConnector, true);
    }

    /**
     * A command-line session whose manager is {@code control} and {@code queries} rather than a
     * D-Bus connection (unit tests of the operations answer systemd with a table).
     */
    public static Session withManager(Layout layout, Account account, Map<String, String> env, Terminal terminal,
                                      boolean force, UnitControl control, UnitQuery queries) {
        return new Session(layout, account, env, terminal, force, () -> {
            throw new IllegalStateException("This session has no D-Bus connection; it talks to " + control + ".");
        }, () -> control, () -> queries, true);
    }

    /** @param ownsBus true for the command line: it owns its connection, and it may run sudo (see {@link #mayRunSudo()}) */
    private Session(Layout layout, Account account, Map<String, String> env, Terminal terminal, boolean force,
                    Supplier<SystemdBus> connector, Supplier<UnitControl> controlConnector,
                    Supplier<UnitQuery> queryConnector, boolean ownsBus) {
        this.layout = layout;
        this.account = account;
        this.env = Map.copyOf(env);
        this.terminal = terminal;
        this.force = force;
        this.connector = connector;
        this.controlConnector = controlConnector;
        this.queryConnector = queryConnector;
        this.ownsBus = ownsBus;
        this.files = ownsBus ? CallerFiles.commandLine() : CallerFiles.agent(layout, this.env);
        this.mayRunSudo = ownsBus;
    }

    /**
     * A session on a long-lived connection someone else owns (the agent's): closing the session
     * leaves the connection open, and the session never runs sudo ({@link #mayRunSudo()}).
     */
    public static Session onSharedBus(Layout layout, Account account, Map<String, String> env, Terminal terminal,
                                      boolean force, SystemdBus bus) {
        return new Session(layout, account, env, terminal, force, () -> bus, null, null, false);
    }

    /** As {@link #onSharedBus(Layout, Account, Map, Terminal, boolean, SystemdBus)}, connecting on first use. */
    public static Session onSharedBus(Layout layout, Account account, Map<String, String> env, Terminal terminal,
                                      boolean force, Supplier<SystemdBus> bus) {
        return new Session(layout, account, env, terminal, force, bus, null, null, false);
    }

    public Layout layout() {
        return layout;
    }

    public Account account() {
        return account;
    }

    public Map<String, String> env() {
        return env;
    }

    public Terminal terminal() {
        return terminal;
    }

    public boolean force() {
        return force;
    }

    /**
     * Which files operations may read for this caller: the command line's user reads with their
     * own rights; a session on the agent's shared connection reads for a JMX/Jolokia operator.
     */
    public CallerFiles files() {
        return files;
    }

    public Mode mode() {
        return layout.mode();
    }

    /** Jobs, unit files and reloads on the mode's manager, connecting now if this is the first call. */
    public UnitControl systemd() {
        if (systemd == null) {
            systemd = controlConnector != null ? controlConnector.get() : UnitControl.over(bus());
        }
        return systemd;
    }

    /** The systemd connection, opened now if this is the first call. */
    private SystemdBus bus() {
        if (bus == null) {
            bus = connector.get();
        }
        return bus;
    }

    /**
     * Read-only questions to systemd, opened now if this is the first call: the session's own
     * query connection when it has one (the command line's lean one), else answered by
     * {@link #systemd()}.
     */
    public UnitQuery queries() {
        if (queries == null) {
            queries = queryConnector != null ? queryConnector.get() : UnitQuery.over(bus());
        }
        return queries;
    }

    /**
     * True for the command line, false for the agent's sessions: the agent acts for remote callers
     * and never escalates (its unit sets {@code NoNewPrivileges=yes}), so in system mode it refuses
     * what needs root beyond polkit's grant ({@link Enablement}).
     */
    public boolean mayRunSudo() {
        return mayRunSudo;
    }

    /** The unit of IOC {@code name} under this layout's template. */
    public UnitName unit(IocName name) {
        return new UnitName(layout.templatePrefix(), name);
    }

    /** Directories of PATH, for the "command on PATH" checks. */
    public List<Path> searchPath() {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        return Arrays.stream(path.split(":")).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    /** Prefix for "next step" hints: {@code "--local "} in local mode. */
    String modeFlag() {
        return layout.mode() == Mode.LOCAL ? "--local " : "";
    }

    @Override
    public void close() {
        if (queries != null) {
            queries.close();
        }
        if (systemd instanceof AutoCloseable control && ownsBus) {
            try {
                control.close();
            } catch (Exception e) {
                // closing: nothing to do about it
            }
        }
        if (bus != null && ownsBus) {
            bus.close();
        }
    }
}
