package io.iocagent.ops;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Mode;
import io.iocagent.model.ConsoleSurvey;
import io.iocagent.model.IocEndpoints;
import io.iocagent.model.IocFacts;
import io.iocagent.model.NetworkClient;
import io.iocagent.netlink.NetlinkException;
import io.iocagent.netlink.UnixSocket;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.proc.ConsoleClients;
import io.iocagent.proc.ProcessInfo;
import io.iocagent.proc.ProcessTable;
import io.iocagent.proc.SocketHolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;
import io.iocagent.systemd.UnitProperty;
import io.iocagent.systemd.UnitState;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code inspect NAME}: who holds the IOC's console socket — the socket file descriptors, the
 * server processes (procServ and the IOC child, which inherits the listener), and every client
 * process connected to it — from one netlink socket dump and one /proc scan. Client sockets are
 * anonymous; the kernel reports the accepted server-side sockets under the listener's path, and
 * their peers are the clients.
 *
 * <p>In system mode other users' processes are visible only to root or with CAP_SYS_PTRACE, so
 * the command refuses without them rather than show a misleadingly empty client list.
 */
public final class Inspector {

    /** Linux capability number of CAP_SYS_PTRACE (linux/capability.h). */
    static final int CAP_SYS_PTRACE = 19;
    /** What the endpoint section asks of the unit. */
    private static final Set<UnitProperty> ENDPOINT_PROPERTIES = EnumSet.of(UnitProperty.ACTIVE_STATE,
            UnitProperty.MAIN_PID, UnitProperty.CONTROL_GROUP);
    private static final DateTimeFormatter LSTART = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final Session session;
    private final Terminal t;

    public Inspector(Session session) {
        this.session = session;
        this.t = session.terminal();
    }

    /** The facts behind the report, for callers that present them differently (MBeans). */
    public ConsoleClients trace(IocName name) throws OperationException {
        return scan(name).clients();
    }

    /**
     * The trace as the MBeans present it: one {@link ConsoleProcess} per server and per client
     * connection, times to the second; no notes (the caller adds what the operation printed).
     */
    public ConsoleInspection inspection(IocName name) throws OperationException {
        ConsoleClients c = trace(name);
        List<ConsoleProcess> servers = c.servers().stream()
                .map(p -> new ConsoleProcess(p.pid(), p.user(), p.commandLine(), iso(p.startTime())))
                .toList();
        List<ConsoleProcess> clients = c.clients().stream()
                .map(k -> new ConsoleProcess(k.pid(), k.user(), k.command(), k.since().map(Inspector::iso).orElse("")))
                .toList();
        return new ConsoleInspection(c.socketPath().toString(), servers, clients, c.uninspectedProcesses(), List.of());
    }

    private static String iso(Instant at) {
        return at == null ? "" : at.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** One trace with the socket dump, fd-link scan and process table it was built from, reused by the report. */
    private record Scan(ConsoleClients clients, List<UnixSocket> dump, SocketHolders holders, ProcessTable processes) {
    }

    private Scan scan(IocName name) throws OperationException {
        if (session.mode() == Mode.SYSTEM && !session.account().isRoot() && !hasCapability(CAP_SYS_PTRACE)) {
            throw OperationException.failure("'inspect' requires root privileges in system mode to map client processes.",
                    "Hint: Execute with sudo (or grant the agent CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH).");
        }
        Path socket = ConsoleTarget.resolve(session, name);
        try {
            List<UnixSocket> dump = new UnixSocketDiag().dump();
            ProcessTable processes = new ProcessTable();
            SocketHolders holders = processes.socketHolders();
            return new Scan(ConsoleClients.trace(socket, dump, holders, processes), dump, holders, processes);
        } catch (NetlinkException e) {
            throw OperationException.failure("Cannot read the kernel's UNIX socket table: " + e.getMessage(),
                    "  -> The sock_diag netlink interface is needed (module unix_diag).");
        } catch (IOException e) {
            throw OperationException.failure("Cannot scan /proc: " + e.getMessage(), "  -> /proc must be mounted and readable.");
        }
    }

    /** Prints the seed's three sections. */
    public ConsoleClients show(IocName name) throws OperationException {
        Scan scan = scan(name);
        ConsoleClients c = scan.clients();
        ProcessTable processes = scan.processes();
        t.out(Session.DIVIDER);
        t.out("Deep Inspection: " + name);
        t.out("Target Socket: " + c.socketPath());
        t.out(Session.SUB_DIVIDER);
        t.out("1. UNIX Domain Socket FDs (kernel sock_diag + /proc)");
        t.out("   [Legend]");
        t.out("   - NODE        : Inode Number (Matches the INODE column in 'list -vv')");
        t.out("   - (LISTEN)    : Server socket waiting for connections");
        t.out("   - (CONNECTED) : Server-side socket for an accepted client session");
        t.out(Session.SUB_DIVIDER);
        List<String> fds = new ArrayList<>();
        for (UnixSocket s : concat(c.listeners(), c.accepted())) {
            for (int pid : scan.holders().pids(s.inode())) {
                Optional<ProcessInfo> p = c.servers().stream().filter(sp -> sp.pid() == pid).findFirst()
                        .or(() -> lookup(processes, pid));
                p.ifPresent(proc -> fds.add(String.format("%-15s %7d %-10s unix %-10d %s %s", command(proc), pid,
                        proc.user(), s.inode(), c.socketPath(), s.isListening() ? "(LISTEN)" : "(CONNECTED)")));
            }
        }
        if (fds.isEmpty()) {
            t.out("No active UNIX sockets detected for this path.");
        } else {
            t.out(String.format("%-15s %7s %-10s %-4s %-10s %s", "COMMAND", "PID", "USER", "TYPE", "NODE", "NAME"));
            fds.forEach(t::out);
        }
        t.out("");
        t.out(Session.DIVIDER);
        t.out("2. Server Process Context (procServ & IOC)");
        t.out("   [Description]");
        t.out("   - Displays the active daemon and its spawned payload processes.");
        t.out(Session.SUB_DIVIDER);
        if (c.servers().isEmpty()) {
            t.out("No server processes found. The socket might be orphaned.");
        } else {
            processTable(c.servers());
        }
        UnitState unit = Systemd.call(() -> session.queries().state(session.unit(name), ENDPOINT_PROPERTIES),
                "read the state of " + session.unit(name));
        showOrphans(name, scan, unit);
        t.out("");
        t.out(Session.DIVIDER);
        t.out("3. Client Process Context (Active Connections)");
        t.out("   [Description]");
        t.out("   - Traced via Netlink peer inode mapping.");
        t.out("   - Displays external processes currently attached to the socket.");
        t.out(Session.SUB_DIVIDER);
        if (c.clients().isEmpty()) {
            t.out("No external client connections detected.");
        } else {
            List<ProcessInfo> clients = new ArrayList<>();
            for (var client : c.clients()) {
                lookup(processes, client.pid()).ifPresent(clients::add);
            }
            processTable(clients);
        }
        t.out(Session.DIVIDER);
        showEndpoints(unit, processes);
        // Even root can be refused some fd links (PID 1 in some sandboxes); only non-root users lack others' processes.
        if (c.uninspectedProcesses() > 0 && !session.account().isRoot()) {
            t.err("Note: " + c.uninspectedProcesses() + " processes could not be inspected (root or CAP_SYS_PTRACE needed);"
                    + " clients run by other users may be missing.");
        }
        return c;
    }

    /**
     * Section 4: the IOC's CA and PVA servers and their clients, by the model's survey
     * ({@link ListReport#endpoints}); a client on this host is named by its process.
     */
    private void showEndpoints(UnitState unit, ProcessTable processes) throws OperationException {
        IocEndpoints e = ListReport.endpoints(List.of(unit), processes).getOrDefault(unit.unit().name(), IocEndpoints.NONE);
        t.out("4. Channel Access / PV Access (kernel inet_diag + /proc)");
        t.out("   [Description]");
        t.out("   - TCP servers of the IOC's own processes (procServ excluded) and the clients connected to them.");
        t.out("   - PID is shown for clients on this host.");
        t.out(Session.SUB_DIVIDER);
        if (!e.servesCa() && !e.servesPva()) {
            t.out(unit.isActive() ? "The IOC serves neither Channel Access nor PV Access (yet)." : "The IOC is not running.");
        } else {
            if (e.servesCa()) {
                t.out("CA  server: TCP " + e.caServerPort()
                        + (e.caSearchPort() > 0 ? ", searches on UDP " + e.caSearchPort() : "")
                        + "; " + e.caClients().size() + " client(s)");
            }
            if (e.servesPva()) {
                t.out("PVA server: TCP " + e.pvaServerPort() + "; " + e.pvaClients().size() + " client(s)");
            }
            if (!e.caClients().isEmpty() || !e.pvaClients().isEmpty()) {
                t.out(String.format("%-4s %-28s %7s %s", "PROT", "CLIENT", "PID", "CMD"));
                e.caClients().forEach(c -> client("CA", c, processes));
                e.pvaClients().forEach(c -> client("PVA", c, processes));
            }
        }
        t.out(Session.DIVIDER);
    }

    /**
     * The IOC's processes outside its unit (an orphaned procServ and its child holding the console
     * listener), by the model's rule ({@link IocFacts#orphanPids}); nothing is printed when there are none.
     */
    private void showOrphans(IocName name, Scan scan, UnitState unit) throws OperationException {
        Path socket = scan.clients().socketPath();
        ConsoleSurvey.Console console;
        try {
            console = ConsoleSurvey.take(List.of(socket), scan.dump(), scan.processes())
                    .getOrDefault(socket, ConsoleSurvey.Console.ABSENT);
        } catch (IOException e) {
            throw OperationException.failure("Cannot scan /proc: " + e.getMessage(), "  -> /proc must be mounted and readable.");
        }
        List<Integer> orphans = IocFacts.orphanPids(console, unit.mainPid());
        if (orphans.isEmpty()) {
            return;
        }
        t.out("");
        t.out("Orphaned processes: hold the console listener but are not " + session.unit(name) + "'s procServ"
                + (unit.mainPid() > 0 ? " (PID " + unit.mainPid() + ")" : "") + " or its child:");
        List<ProcessInfo> found = new ArrayList<>();
        for (int pid : orphans) {
            lookup(scan.processes(), pid).ifPresent(found::add);
        }
        processTable(found);
        t.out("  -> Left by an earlier run (e.g. after the manager was killed): stop them with 'kill PID' once sure;"
                + " the unit's IOC is not affected.");
    }

    private void client(String protocol, NetworkClient c, ProcessTable processes) {
        Optional<ProcessInfo> p = c.pid() > 0 ? lookup(processes, c.pid()) : Optional.empty();
        t.out(String.format("%-4s %-28s %7s %s", protocol, c.endpoint(), c.pid() > 0 ? Integer.toString(c.pid()) : "-",
                p.map(ProcessInfo::commandLine).orElse("-")));
    }

    private void processTable(List<ProcessInfo> processes) {
        t.out(String.format("%7s %-10s %-4s %-24s %s", "PID", "USER", "STAT", "STARTED", "CMD"));
        for (ProcessInfo p : processes) {
            t.out(String.format("%7d %-10s %-4s %-24s %s", p.pid(), p.user(), p.state(), LSTART.format(p.startTime()),
                    p.commandLine()));
        }
    }

    private static Optional<ProcessInfo> lookup(ProcessTable processes, int pid) {
        try {
            return processes.process(pid);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** lsof's COMMAND, as the seed shows it: the kernel's name ({@code st.cmd}), not argv[0] ({@code bash}). */
    private static String command(ProcessInfo p) {
        return p.name();
    }

    private static List<UnixSocket> concat(List<UnixSocket> a, List<UnixSocket> b) {
        List<UnixSocket> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** True when the effective capability set of this process has {@code cap} (/proc/self/status CapEff). */
    static boolean hasCapability(int cap) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long bits = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (bits & (1L << cap)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
