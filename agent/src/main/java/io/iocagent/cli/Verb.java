package io.iocagent.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The commands of {@code ioc-runner}, each with what its own {@code --help} prints: synopsis,
 * what it does, the options it takes, its exit statuses and one example. The bash completion
 * ({@code deploy/completion/ioc-runner}) offers exactly {@link #options()} after each command;
 * {@code CompletionTest} holds the two together.
 */
enum Verb {

    GENERATE("DIR", List.of(
            "Write DIR/<dirname>.conf for the one executable *.cmd in DIR (IOC_CHDIR=DIR, IOC_CMD=./st.cmd)",
            "and validate it. An identical conf is left alone; a different one is shown as a diff and",
            "replaced only after you answer y. Also prepares DIR/.iocsh_history."),
            List.of(Option.FORCE_GENERATE), "0 written or already identical, 1 on any error or a declined prompt",
            "generate /opt/epics-iocs/iocBoot/iocmyioc"),
    INSTALL("FILE.conf|DIR", List.of(
            "Validate FILE and install it as NAME.conf in the configuration directory (an atomic write),",
            "then reload systemd. A directory means DIR/<dirname>.conf. Never starts or enables the IOC."),
            List.of(Option.FORCE_INSTALL), "0 installed, 1 on any error or a declined prompt",
            "install /opt/epics-iocs/iocBoot/iocmyioc/iocmyioc.conf"),
    REMOVE("NAME", List.of(
            "Stop and disable the IOC, delete its configuration and a stale socket directory, reload",
            "systemd. The procServ log is kept."),
            List.of(), "0 removed, 1 on any error (a unit still running keeps its conf)", "remove myioc"),
    START("NAME", List.of(
            "Start the IOC's service, wait for systemd's job, then follow its procServ log: 'successfully",
            "started' once 'iocRun: All initialization complete' appears and no crash follows for 3 s.",
            "On a terminal, a status line on stderr shows what is being waited for and for how long."),
            List.of(), "0 started or already running (a warning when not confirmed within 30 s), 1 failed",
            "start myioc"),
    STOP("NAME", List.of("Stop the IOC's service and wait for systemd's job."),
            List.of(), "0 stopped, 1 on any error", "stop myioc"),
    RESTART("NAME", List.of(
            "Restart the IOC's service (start it when stopped) and judge the new start as 'start' does.",
            "Warns when the configuration changed after the running unit was activated."),
            List.of(), "0 started, 1 failed", "restart myioc"),
    STATUS("NAME", List.of(
            "State, sub-state, main PID, since when, restarts, the conf, socket and log paths, and the last",
            "10 lines of the procServ log."),
            List.of(), "0 active, 3 not active, 1 on any error", "status myioc"),
    ENABLE("NAME", List.of("Make the IOC start with its manager (at boot in system mode)."),
            List.of(), "0 enabled, 1 on any error", "enable myioc"),
    DISABLE("NAME", List.of("Stop the IOC from starting with its manager; a running IOC keeps running."),
            List.of(), "0 disabled, 1 on any error", "disable myioc"),
    VIEW("NAME", List.of("Print the IOC's configuration file and the systemd unit as systemd resolves it."),
            List.of(), "0, or 1 when the configuration is missing", "view myioc"),
    LIST("", List.of(
            "Every IOC of the mode, installed or running, stopped ones too, sorted by name:",
            "name, status, start time, console socket."),
            List.of(Option.VERBOSE, Option.JSON), "0, 1 on any error", "list -v"),
    WHICH("PVNAME", List.of(
            "Which IOC of this host serves the PV: asks each running IOC that serves Channel Access over",
            "its own CA server port on loopback and names the IOC, its unit and state (every one, when",
            "several serve it). Root or CAP_SYS_PTRACE in system mode, to find the IOCs' CA ports."),
            List.of(Option.WHICH_JSON), "0 an IOC serves it, 4 none does, 1 on any error", "which IOC:temperature"),
    ATTACH("NAME", List.of("Open the IOC's console (read/write). Ctrl-A detaches; the IOC keeps running."),
            List.of(), "0 detached, 1 on any error", "attach myioc"),
    MONITOR("NAME", List.of("Show the IOC's console read-only: nothing typed reaches the IOC. Ctrl-A or Ctrl-C ends it."),
            List.of(), "0, 1 on any error", "monitor myioc"),
    INSPECT("NAME", List.of(
            "Trace the console socket: its file descriptors, the procServ and IOC processes, and the",
            "clients connected to the console (root or CAP_SYS_PTRACE in system mode)."),
            List.of(), "0, 1 on any error", "inspect myioc"),
    AGENT("", List.of(
            "Run the JMX agent in the foreground: one MXBean per IOC, Jolokia HTTP (127.0.0.1:8778) and",
            "Prometheus /metrics (127.0.0.1:9464). Settings come from --config FILE and --key=value flags",
            "(flags win); the keys are listed below."),
            List.of(Option.CONFIG), "0 after SIGTERM, 1 when it cannot start", "agent --config /etc/ioc-agent/agent.properties"),
    CREDENTIAL("USER:ROLE|USER ROLE", List.of(
            "Print a line USER:ROLE:hash for the agent's credentials file (ROLE viewer or operator). The",
            "password is read twice without echo at a terminal, else as one line of standard input."),
            List.of(), "0, 1 on a bad user, role or password", "credential olivia:operator >> /etc/ioc-agent/credentials");

    private final String operand;
    private final List<String> description;
    private final List<Option> own;
    private final String exit;
    private final String example;

    Verb(String operand, List<String> description, List<Option> own, String exit, String example) {
        this.operand = operand;
        this.description = description;
        this.own = own;
        this.exit = exit;
        this.example = example;
    }

    /** The word typed on the command line. */
    String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The command named {@code word}, if there is one. */
    static Optional<Verb> of(String word) {
        return Arrays.stream(values()).filter(v -> v.word().equals(word)).findFirst();
    }

    /** Every command word, in help order. */
    static List<String> words() {
        return Arrays.stream(values()).map(Verb::word).toList();
    }

    /**
     * Every option this command takes, as the completion offers them: its own, then
     * {@code --local}/{@code --user} (except {@code credential}, which needs no mode) and
     * {@code -h}/{@code --help}. The agent's {@code --key=value} settings are listed apart.
     */
    List<String> options() {
        List<String> flags = new ArrayList<>();
        own.forEach(o -> flags.addAll(o.flags));
        if (this != CREDENTIAL) {
            flags.addAll(Option.LOCAL.flags);
        }
        flags.addAll(Option.HELP.flags);
        return List.copyOf(flags);
    }

    /** Every option the grammar knows, as the completion offers them before a command is typed. */
    static List<String> anyOptions() {
        return List.of("--local", "--user", "-f", "--force", "-v", "-vv", "--json", "-V", "--version", "-h", "--help");
    }

    /** This command's help: usage, what it does, options, exit status, one example. */
    List<String> help(String program, List<String> settings) {
        List<String> lines = new ArrayList<>();
        String mode = this == CREDENTIAL ? "" : "[--local] ";
        String flags = own.stream().map(o -> "[" + o.synopsis + "] ").reduce("", String::concat);
        lines.add(("Usage: " + program + " " + mode + word() + " " + flags + operand).stripTrailing());
        lines.add("");
        lines.addAll(description);
        lines.add("");
        lines.add("Options:");
        Stream.concat(own.stream(), Stream.of(this == CREDENTIAL ? null : Option.LOCAL, Option.HELP))
                .filter(java.util.Objects::nonNull)
                .forEach(o -> lines.addAll(Usage.option(o.usage, o.meaning)));
        if (!settings.isEmpty()) {
            lines.add("");
            lines.add("Settings, with their defaults (as flags, or key=value lines in the --config file):");
            lines.addAll(settings);
        }
        lines.add("");
        lines.add("Exit status: " + exit + ".");
        lines.add("");
        lines.add("Example:");
        lines.add("  " + program + " " + example);
        return lines;
    }

    /** An option as help shows it and the completion offers it. */
    enum Option {
        LOCAL("--local", "--local, --user", "your user manager and ~/.config/procServ.d (default: system mode)",
                "--local", "--user"),
        HELP("-h", "-h, --help", "this help", "-h", "--help"),
        FORCE_GENERATE("-f", "-f, --force", "overwrite a different conf without asking; take the first of several *.cmd",
                "-f", "--force"),
        FORCE_INSTALL("-f", "-f, --force", "overwrite without asking: the installed conf and, in local mode, a differing"
                + " shared unit template or rotation unit (validation errors still stop it)", "-f", "--force"),
        VERBOSE("-v|-vv", "-v, -vv", "-v adds PID, CPU and memory; -vv also the socket's queues, state, inode, mode",
                "-v", "-vv"),
        JSON("--json", "--json", "everything as JSON, console clients and unit file state too (for scripts)", "--json"),
        WHICH_JSON("--json", "--json", "the answer as JSON: pv, servedBy (ioc, unit, activeState, caServerPort), asked,"
                + " unanswered", "--json"),
        CONFIG("--config FILE", "--config FILE", "the agent's settings file (example: deploy/agent/agent.properties)",
                "--config");

        private final String synopsis;
        private final String usage;
        private final String meaning;
        private final List<String> flags;

        Option(String synopsis, String usage, String meaning, String... flags) {
            this.synopsis = synopsis;
            this.usage = usage;
            this.meaning = meaning;
            this.flags = List.of(flags);
        }
    }
}
