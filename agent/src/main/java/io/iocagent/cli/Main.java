package io.iocagent.cli;

import io.iocagent.ops.SystemdConnector;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.LayoutException;
import io.iocagent.conf.Mode;
import io.iocagent.console.Console;
import io.iocagent.ops.ConsoleTarget;
import io.iocagent.ops.Generator;
import io.iocagent.ops.Inspector;
import io.iocagent.ops.Installer;
import io.iocagent.ops.IocRow;
import io.iocagent.ops.ListFormat;
import io.iocagent.ops.ListReport;
import io.iocagent.ops.Lifecycle;
import io.iocagent.ops.OperationException;
import io.iocagent.ops.Remover;
import io.iocagent.ops.Session;
import io.iocagent.ops.StatusReport;
import io.iocagent.ops.Terminal;
import io.iocagent.ops.UnitView;
import io.iocagent.ops.WhichIoc;
import io.iocagent.posix.Account;
import io.iocagent.posix.NoFollowFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * {@code ioc-runner}: parses the command line the seed's way, applies its guards in its order,
 * and hands the command to the operation that implements it.
 */
public final class Main {

    private static final String PROGRAM = "ioc-runner";

    /** Commands whose target is a path, not an IOC name; every other target is checked as a name first. */
    static final Set<String> PATH_COMMANDS = Set.of("generate", "install");
    /** Commands whose operand is not an IOC name at all. */
    static final Set<String> PV_COMMANDS = Set.of("which");

    private Main() {
    }

    public static void main(String[] args) {
        preferPlatformSelector();
        NativeDispatchCache.useForProcess(System.getenv());
        skipJnaLibrarySearch();
        StdTerminal terminal = StdTerminal.system();
        int code = run(List.of(args), System.getenv(), terminal, Console::forProcess);
        terminal.flush();
        System.exit(code);
    }

    /** The JDK's own selector provider on Linux; see {@link #preferPlatformSelector()}. */
    static final String PLATFORM_SELECTOR = "sun.nio.ch.EPollSelectorProvider";

    /**
     * Names the JDK's own Linux selector provider before the first socket is opened, so the first
     * D-Bus connection does not look for a provider through the service loader, which opens and
     * indexes all 5,000 entries of this jar (5-10 ms of a command's CPU; docs/benchmarks.md). Only
     * when nobody chose a provider and this JDK has that class: a property naming a missing class
     * would make every socket fail.
     */
    static void preferPlatformSelector() {
        String property = "java.nio.channels.spi.SelectorProvider";
        if (System.getProperty(property) != null) {
            return;
        }
        try {
            Class.forName(PLATFORM_SELECTOR, false, null);
            System.setProperty(property, PLATFORM_SELECTOR);
        } catch (ClassNotFoundException e) {
            // another JDK's layout: the service loader finds its default provider as before
        }
    }

    /** JNA's search path for libraries it is asked to load by name; see {@link #skipJnaLibrarySearch()}. */
    static final String JNA_PLATFORM_PATH = "jna.platform.library.path";

    /**
     * Gives JNA an empty platform library path before it is first used. Without one, JNA's
     * {@code NativeLibrary} works it out on Linux by running {@code /sbin/ldconfig -p} and parsing
     * its output: a process, a reaper thread and 25-60 ms of a command's CPU at 1000 IOCs (docs/benchmarks.md)
     * for a path nothing here reads: the only library this code loads is the C library, which JNA
     * on Linux takes from the process itself ({@code dlopen(NULL)}) without searching. Not when
     * someone set the property.
     */
    static void skipJnaLibrarySearch() {
        if (System.getProperty(JNA_PLATFORM_PATH) == null) {
            System.setProperty(JNA_PLATFORM_PATH, "");
        }
    }

    /** Runs one command line against the process's own streams; returns the exit status. */
    public static int run(List<String> args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
                          boolean interactive) {
        StdTerminal terminal = new StdTerminal(in, out, err, interactive, false);
        int code = run(args, env, terminal, (t, e) -> new Console(t, e, in, out, Optional::empty));
        terminal.flush();
        return code;
    }

    /** Opens the console client for attach/monitor on the streams of this invocation. */
    @FunctionalInterface
    interface Consoles {
        Console open(Terminal terminal, Map<String, String> env) throws OperationException;
    }

    static int run(List<String> args, Map<String, String> env, StdTerminal t, Consoles consoles) {
        Arguments.Outcome outcome = Arguments.parse(args);
        if (outcome instanceof Arguments.ShowHelp help) {
            Optional<Verb> verb = help.command().flatMap(Verb::of);
            if (verb.isPresent()) {
                verb.get().help(PROGRAM, verb.get() == Verb.AGENT ? agentSettings() : List.of()).forEach(t::out);
            } else {
                t.out(Usage.text(PROGRAM).stripTrailing());
            }
            return 0;
        }
        if (outcome instanceof Arguments.ShowVersion) {
            version().forEach(t::out);
            return 0;
        }
        if (outcome instanceof Arguments.Invalid bad) {
            Optional<Verb> verb = bad.command().flatMap(Verb::of);
            t.err("Error: " + Usage.printable(bad.error()));
            t.err(Usage.hint(PROGRAM, verb, bad.token(), bad.error().startsWith("Unknown option")
                    ? verb.map(Verb::options).orElse(Verb.anyOptions()) : List.of()));
            return 1;
        }
        Arguments a = ((Arguments.Parsed) outcome).arguments();
        if (a.command().isEmpty()) {
            t.out(Usage.text(PROGRAM).stripTrailing());
            return 0;
        }
        String command = a.command().get();
        if (Verb.of(command).isEmpty()) {
            t.err("Error: Unknown command '" + Usage.printable(command) + "'");
            t.err(Usage.hint(PROGRAM, Optional.empty(), command, Verb.words()));
            return 1;
        }
        if (command.equals("credential")) {
            return CredentialCommand.run(a.target().orElse(""), t); // needs no mode, layout or systemd
        }
        Account account = Account.current(env);
        Layout layout;
        try {
            layout = Layout.resolve(a.local() ? Mode.LOCAL : Mode.SYSTEM, env, account);
            layout.check();
        } catch (LayoutException e) {
            t.err("Error: " + e.getMessage());
            e.details().forEach(t::err);
            return 1;
        }
        layout.logDirWarnings(env).forEach(block -> block.forEach(t::err));
        if (a.verbosity() > 0 && !command.equals("list")) {
            t.err("Error: Verbose options (-v, -vv) are only supported for the 'list' command.");
            t.err("  -> Drop -v/-vv, or use: " + PROGRAM + " list -v");
            return 1;
        }
        if (!command.equals("agent") && (a.config().isPresent() || !a.settings().isEmpty())) {
            t.err("Error: --config and --key=value settings are only for the 'agent' command.");
            t.err("  -> Usage: " + PROGRAM + " [--local] agent [--config FILE] [--key=value ...]");
            return 1;
        }
        if (command.equals("agent")) {
            return AgentCommand.run(a, env, layout, account, t);
        }
        NoFollowFile.allowWaitingOpens(); // a command, not the agent: no native library to read a conf or a log
        String target = a.target().orElse("");
        if (a.target().isPresent() && !PATH_COMMANDS.contains(command) && !PV_COMMANDS.contains(command)) {
            String name = IocName.baseName(target);
            if (!IocName.isValid(name)) {
                t.err("Error: " + IocName.invalidMessage(name, false));
                t.err("  -> IOC names are the .conf file names under " + layout.confDir() + ".");
                return 1;
            }
        }
        CommandAudit audit = CommandAudit.forEnv(env, account);
        try (Session session = new Session(layout, account, env, t, a.force(),
                SystemdConnector.forLayout(layout, env, account), SystemdConnector.control(layout, env, account),
                SystemdConnector.queries(layout, env, account))) {
            int code = dispatch(session, a, t, consoles);
            audit.record(command, target, code, "");
            return code;
        } catch (OperationException e) {
            if (!e.reported()) {
                t.err("Error: " + e.getMessage());
                e.details().forEach(t::err);
            }
            audit.record(command, target, e.exitCode(), e.getMessage());
            return e.exitCode();
        }
    }

    private static int dispatch(Session session, Arguments a, StdTerminal t, Consoles consoles)
            throws OperationException {
        String command = a.command().orElseThrow();
        String target = a.target().orElse("");
        switch (command) {
            case "generate" -> new Generator(session).generate(target);
            case "install" -> new Installer(session).install(target);
            case "remove" -> new Remover(session).remove(name(target, "removal"));
            case "start" -> new Lifecycle(session).start(name(target, "start"));
            case "restart" -> new Lifecycle(session).restart(name(target, "restart"));
            case "stop" -> new Lifecycle(session).stop(name(target, "stop"));
            case "enable" -> new Lifecycle(session).enable(name(target, "enable"));
            case "disable" -> new Lifecycle(session).disable(name(target, "disable"));
            case "status" -> {
                return new StatusReport(session).show(name(target, "status"));
            }
            case "view" -> new UnitView(session).show(name(target, "view"));
            case "list" -> {
                return list(session, t, a.verbosity(), a.json());
            }
            case "inspect" -> new Inspector(session).show(name(target, "inspect"));
            case "which" -> {
                if (target.isEmpty()) {
                    throw OperationException.failure("'which' needs a PV name.",
                            "  -> Usage: " + PROGRAM + " [--local] which PVNAME [--json]");
                }
                WhichIoc which = new WhichIoc(session);
                return which.show(which.find(target), a.json());
            }
            case "attach", "monitor" -> {
                // The console tool is resolved before the target, as the seed does.
                Console console = consoles.open(t, session.env());
                IocName name = name(target, command);
                Path socket = ConsoleTarget.resolve(session, name);
                return command.equals("attach") ? console.attach(name, socket) : console.monitor(name, socket);
            }
            default -> throw new IllegalStateException("command '" + command + "' has a Verb but no dispatch");
        }
        return 0;
    }

    /** The agent's settings as {@code agent --help} lists them: key, default, meaning. */
    private static List<String> agentSettings() {
        return io.iocagent.agent.AgentSettings.describe().stream()
                .flatMap(k -> java.util.stream.Stream.of("  " + (k.flag() ? "--" : "") + k.name() + "=" + k.defaultValue(),
                        "        " + k.meaning() + (k.flag() ? "" : " (file only)")))
                .toList();
    }

    /** {@code list [-v|-vv] [--json]}: every IOC of the mode, sorted by name. */
    private static int list(Session session, StdTerminal t, int verbosity, boolean json) throws OperationException {
        ListReport report = new ListReport(session);
        if (json) {
            t.out(ListFormat.json(session.mode().label(), report.collect(ListReport.Detail.FULL)));
            return 0;
        }
        List<IocRow> rows = report.collect(verbosity == 0 ? ListReport.Detail.BASIC
                : verbosity == 1 ? ListReport.Detail.PROCESS : ListReport.Detail.SOCKET);
        if (rows.isEmpty()) {
            t.out("No IOCs installed in " + session.layout().confDir() + " and no " + session.layout().templatePrefix()
                    + "*.service units loaded.");
            if (report.accessLimited()) {
                t.out("(configuration or socket directories are not readable by this user; use 'status NAME' for service state)");
            }
            return 0;
        }
        // one write, not one per row: standard output flushes every line (a thousand rows, a thousand writes)
        t.out(String.join("\n", ListFormat.table(rows, verbosity)));
        if (report.accessLimited()) {
            t.err("Note: some directories are not readable by this user; the list may be incomplete.");
        }
        return 0;
    }

    private static IocName name(String target, String purpose) throws OperationException {
        if (target.isEmpty()) {
            throw OperationException.failure("Target IOC name is required for " + purpose + ".",
                    "  -> Usage: " + PROGRAM + " [--local] COMMAND NAME (names: ls the conf directory)");
        }
        return new IocName(IocName.baseName(target));
    }

    /**
     * The {@code -V} block: version, build date, and the Java runtime running it. The first line keeps
     * epics-ioc-runner's shape ({@code epics-ioc-runner version V (…)}) so scripts that look for it
     * still find a version; the parentheses name this implementation.
     */
    static List<String> version() {
        Properties build = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        return List.of(
                "epics-ioc-runner version " + Optional.ofNullable(build.getProperty("version")).orElse("unknown")
                        + " (epics-ioc-agent)",
                "build date:   " + Optional.ofNullable(build.getProperty("build.date")).orElse("unknown"),
                "java:         " + System.getProperty("java.version") + " (" + System.getProperty("java.home") + ")");
    }
}
