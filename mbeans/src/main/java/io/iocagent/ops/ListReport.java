package io.iocagent.ops;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.ConfSyntaxException;
import io.iocagent.conf.IocName;
import io.iocagent.model.CgroupUsage;
import io.iocagent.model.ConsoleSurvey;
import io.iocagent.model.EndpointSurvey;
import io.iocagent.model.IocEndpoints;
import io.iocagent.model.IocFacts;
import io.iocagent.netlink.InetSocketDiag;
import io.iocagent.crash.ChildExit;
import io.iocagent.procserv.LogFile;
import io.iocagent.procserv.LogTail;
import io.iocagent.netlink.NetlinkException;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.proc.ProcessTable;
import io.iocagent.systemd.ActiveState;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitProperty;
import io.iocagent.systemd.UnitQuery;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code list}: every IOC of the mode — installed configurations, and units systemd holds that are
 * not plain inactive — joined in one pass per source, asking each source only for what the output
 * shows: the conf directory; one {@code ListUnitsByPatterns} (which carries every unit's load,
 * active and sub state, all a plain {@code list} prints); for {@code -v} and more, {@code MainPID}
 * and {@code ControlGroup} of the units that are not inactive, and CPU and memory from their cgroups
 * ({@code CPUUsageNSec}/{@code MemoryCurrent} only where a cgroup cannot be read); for
 * {@code -vv}, one netlink socket dump; for JSON, the unit file states. No per-IOC process is
 * forked. Each fact is derived by the model's own rules ({@link IocFacts}, {@link CgroupUsage},
 * {@link ConsoleSurvey}), so {@code list} and the agent agree about every IOC.
 */
public final class ListReport {

    /** What {@code -v} asks of the units that are not inactive. */
    static final Set<UnitProperty> PROCESS_PROPERTIES = EnumSet.of(UnitProperty.MAIN_PID, UnitProperty.CONTROL_GROUP);

    /** What CPU and memory fall back to where a unit's cgroup cannot be read. */
    static final Set<UnitProperty> ACCOUNTING_PROPERTIES = EnumSet.of(UnitProperty.CPU_USAGE, UnitProperty.MEMORY_CURRENT);

    private final Session session;

    public ListReport(Session session) {
        this.session = session;
    }

    /** What to collect: the costlier sources only when the output shows them. */
    public enum Detail {
        /** name, status, started, path */
        BASIC,
        /** plus PID, CPU, memory */
        PROCESS,
        /** plus kernel socket facts */
        SOCKET,
        /** everything, console clients and unit file states too (JSON) */
        FULL
    }

    /** Collects the rows, sorted by IOC name. */
    public List<IocRow> collect(Detail detail) throws OperationException {
        Map<IocName, Optional<String>> installed = installedConfs();
        UnitQuery query = Systemd.call(session::queries, "connect to systemd");
        String prefix = session.layout().templatePrefix();
        Map<UnitName, UnitSummary> listed = Systemd.call(() -> query.listUnits(prefix), "list the IOC units");

        Map<IocName, UnitState> states = new TreeMap<>();
        for (UnitSummary summary : listed.values()) {
            states.put(summary.unit().name(), listedState(summary));
        }
        for (IocName name : installed.keySet()) {
            states.computeIfAbsent(name, n -> notLoaded(session.unit(n)));
        }
        states.entrySet().removeIf(e -> !IocFacts.belongs(installed.containsKey(e.getKey()), e.getValue()));

        ProcessTable processes = new ProcessTable();
        Map<IocName, Optional<CgroupUsage>> measured = new HashMap<>();
        if (detail.compareTo(Detail.PROCESS) >= 0) {
            List<UnitName> running = states.values().stream()
                    .filter(s -> s.active() != ActiveState.INACTIVE).map(UnitState::unit).toList();
            Map<UnitName, UnitState> process = read(query, running, PROCESS_PROPERTIES);
            List<UnitName> unmeasured = new ArrayList<>();
            for (UnitState p : process.values()) {
                UnitState merged = withProcess(states.get(p.unit().name()), p);
                states.put(p.unit().name(), merged);
                Optional<CgroupUsage> usage = merged.isActive()
                        ? CgroupUsage.of(processes, merged.controlGroup()) : Optional.empty();
                measured.put(p.unit().name(), usage);
                if (merged.isActive() && usage.isEmpty()) {
                    unmeasured.add(p.unit());
                }
            }
            read(query, unmeasured, ACCOUNTING_PROPERTIES).values().forEach(a ->
                    states.put(a.unit().name(), withAccounting(states.get(a.unit().name()), a)));
        }
        if (detail == Detail.FULL) {
            read(query, states.values().stream().map(UnitState::unit).toList(), EnumSet.of(UnitProperty.UNIT_FILE_STATE))
                    .values().forEach(f -> states.put(f.unit().name(), withUnitFileState(states.get(f.unit().name()), f)));
        }

        Map<IocName, Path> socketPaths = new TreeMap<>();
        states.keySet().forEach(n -> socketPaths.put(n,
                IocFacts.socketPath(session.layout(), n, installed.getOrDefault(n, Optional.empty()))));
        Map<Path, ConsoleSurvey.Console> consoles = Map.of();
        Map<Long, Integer> refCounts = Map.of();
        Map<IocName, IocEndpoints> endpoints = Map.of();
        if (detail.compareTo(Detail.SOCKET) >= 0) {
            consoles = survey(socketPaths.values(), processes);
            refCounts = refCounts();
            endpoints = endpoints(states.values(), processes);
        }

        List<IocRow> rows = new ArrayList<>();
        for (Map.Entry<IocName, UnitState> e : states.entrySet()) {
            Path socketPath = socketPaths.get(e.getKey());
            IocRow r = row(e.getKey(), installed.containsKey(e.getKey()), e.getValue(),
                    measured.getOrDefault(e.getKey(), Optional.empty()), socketPath,
                    consoles.getOrDefault(socketPath, ConsoleSurvey.Console.ABSENT), refCounts,
                    endpoints.getOrDefault(e.getKey(), IocEndpoints.NONE), detail);
            rows.add(detail == Detail.FULL ? r.withLastExit(lastExit(e.getKey())) : r);
        }
        return rows;
    }

    /**
     * One row from the facts of one IOC, by the model's rules.
     *
     * @param state    the unit's state with what {@code detail} asked for
     * @param measured its cgroup reading, empty when none (or not asked)
     * @param console  its console socket ({@link ConsoleSurvey.Console#ABSENT} when not asked)
     * @param endpoints its CA/PVA endpoints ({@link IocEndpoints#NONE} when not asked)
     */
    static IocRow row(IocName name, boolean installed, UnitState state, Optional<CgroupUsage> measured,
                      Path socketPath, ConsoleSurvey.Console console, Map<Long, Integer> refCounts,
                      IocEndpoints endpoints, Detail detail) {
        boolean active = state.isActive();
        IocFacts.Usage usage = detail.compareTo(Detail.PROCESS) >= 0 ? IocFacts.usage(state, measured)
                : new IocFacts.Usage(OptionalLong.empty(), OptionalLong.empty());
        Optional<IocRow.SocketFacts> socket = console.listening()
                ? Optional.of(new IocRow.SocketFacts("LISTEN", console.inode(), console.recvQueue(), console.sendQueue(),
                        refCounts.getOrDefault(console.inode(), 0), permissions(socketPath)))
                : Optional.empty();
        List<IocRow.Client> clients = detail == Detail.FULL
                ? console.clients().stream().map(c -> new IocRow.Client(c.pid(), c.user(), c.command(), c.since())).toList()
                : List.of();
        List<Integer> orphans = detail.compareTo(Detail.SOCKET) >= 0
                ? IocFacts.orphanPids(console, state.mainPid()) : List.of();
        return new IocRow(name.value(), installed, state.activeState(), state.subState(), state.unitFileState(),
                active ? mtime(socketPath) : Optional.empty(),
                state.mainPid() <= 0 ? OptionalInt.empty() : OptionalInt.of(state.mainPid()),
                usage.cpuNanos(), usage.memoryBytes(), socketPath.toString(), socket, clients,
                active ? endpoints : IocEndpoints.NONE, null, orphans);
    }

    private static Map<UnitName, UnitState> read(UnitQuery query, List<UnitName> units, Set<UnitProperty> properties)
            throws OperationException {
        return units.isEmpty() ? Map.of() : Systemd.call(() -> query.states(units, properties), "read the IOC units");
    }

    /** A listed unit: its load, active and sub state as the listing gave them. */
    static UnitState listedState(UnitSummary s) {
        return new UnitState(s.unit(), s.loadState(), s.activeState(), s.subState(), "", 0, 0, Optional.empty(),
                Optional.empty(), "", OptionalLong.empty(), OptionalLong.empty(), "", List.of(), "");
    }

    /** A unit the manager does not hold in memory: inactive and dead, as loading it would show. */
    static UnitState notLoaded(UnitName unit) {
        return new UnitState(unit, "", "inactive", "dead", "", 0, 0, Optional.empty(), Optional.empty(), "",
                OptionalLong.empty(), OptionalLong.empty(), "", List.of(), "");
    }

    private static UnitState withProcess(UnitState s, UnitState p) {
        return new UnitState(s.unit(), s.loadState(), s.activeState(), s.subState(), s.serviceResult(), p.mainPid(),
                s.restarts(), s.execMainStartTimestamp(), s.activeEnterTimestamp(), p.controlGroup(), s.cpuNanos(),
                s.memoryBytes(), s.fragmentPath(), s.dropInPaths(), s.unitFileState());
    }

    private static UnitState withAccounting(UnitState s, UnitState a) {
        return new UnitState(s.unit(), s.loadState(), s.activeState(), s.subState(), s.serviceResult(), s.mainPid(),
                s.restarts(), s.execMainStartTimestamp(), s.activeEnterTimestamp(), s.controlGroup(), a.cpuNanos(),
                a.memoryBytes(), s.fragmentPath(), s.dropInPaths(), s.unitFileState());
    }

    private static UnitState withUnitFileState(UnitState s, UnitState f) {
        return new UnitState(s.unit(), s.loadState(), s.activeState(), s.subState(), s.serviceResult(), s.mainPid(),
                s.restarts(), s.execMainStartTimestamp(), s.activeEnterTimestamp(), s.controlGroup(), s.cpuNanos(),
                s.memoryBytes(), s.fragmentPath(), s.dropInPaths(), f.unitFileState());
    }

    /** True when nothing could be listed because directories are closed to this user (the seed's #94 hint). */
    public boolean accessLimited() {
        Path confDir = session.layout().confDir();
        Path runDir = session.layout().runDir();
        return (Files.isDirectory(confDir) && !Files.isReadable(confDir))
                || (Files.isDirectory(runDir) && !(Files.isReadable(runDir) && Files.isExecutable(runDir)));
    }

    /** Installed IOCs and the {@code IOC_PORT} of each (empty when unset or the conf is unreadable). */
    private Map<IocName, Optional<String>> installedConfs() throws OperationException {
        Path dir = session.layout().confDir();
        Map<IocName, Optional<String>> confs = new HashMap<>();
        if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
            return confs; // accessLimited() lets the caller say why the list may be short
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".conf") && Files.isRegularFile(p)).forEach(p -> {
                String base = IocName.baseName(p.getFileName().toString());
                if (IocName.isValid(base)) {
                    confs.put(new IocName(base), port(p));
                }
            });
        } catch (IOException e) {
            throw OperationException.failure("Cannot list " + dir + ": " + e.getMessage(),
                    "  -> Check its permissions (group " + session.layout().identity().group() + ").");
        }
        return confs;
    }

    private static Optional<String> port(Path conf) {
        try {
            return ConfFile.read(conf, conf.toString()).get("IOC_PORT");
        } catch (IOException | ConfSyntaxException e) {
            return Optional.empty(); // an unreadable or broken conf still lists, with the standard path
        }
    }

    /** Every console of {@code paths}, by the model's survey (one dump, /proc only if clients are connected). */
    private static Map<Path, ConsoleSurvey.Console> survey(Collection<Path> paths, ProcessTable processes)
            throws OperationException {
        try {
            return ConsoleSurvey.take(paths, new UnixSocketDiag().dump(), processes);
        } catch (NetlinkException e) {
            throw OperationException.failure("Cannot read the kernel's UNIX socket table: " + e.getMessage(),
                    "  -> The sock_diag netlink interface is needed (module unix_diag; not available in some containers).");
        } catch (IOException e) {
            throw OperationException.failure("Cannot map console clients: " + e.getMessage(),
                    "  -> /proc must be mounted and readable.");
        }
    }

    /** The last child exit in the end of the IOC's procServ log; null when none, or the log is unreadable. */
    private ChildExit lastExit(IocName name) {
        try {
            return LogTail.read(LogFile.of(session.layout(), name)).lastExit().orElse(null);
        } catch (IOException e) {
            return null; // no log yet, or one that must not be read: no exit to show
        }
    }

    /**
     * The CA/PVA endpoints of the active ones among {@code states} (which carry MainPID and
     * ControlGroup), by the model's survey: one TCP/UDP socket dump for all of them.
     */
    static Map<IocName, IocEndpoints> endpoints(Collection<UnitState> states, ProcessTable processes)
            throws OperationException {
        Map<IocName, String> groups = new HashMap<>();
        Map<IocName, Integer> mainPids = new HashMap<>();
        for (UnitState s : states) {
            if (s.isActive() && !s.controlGroup().isEmpty()) {
                groups.put(s.unit().name(), s.controlGroup());
                mainPids.put(s.unit().name(), s.mainPid());
            }
        }
        if (groups.isEmpty()) {
            return Map.of();
        }
        try {
            return new EndpointSurvey(processes).takeUnits(groups, mainPids, new InetSocketDiag().dump().sockets());
        } catch (NetlinkException e) {
            throw OperationException.failure("Cannot read the kernel's TCP/UDP socket table: " + e.getMessage(),
                    "  -> The sock_diag netlink interface is needed (modules inet_diag, tcp_diag, udp_diag).");
        } catch (IOException e) {
            throw OperationException.failure("Cannot map CA/PVA clients to processes: " + e.getMessage(),
                    "  -> /proc must be mounted and readable.");
        }
    }

    /**
     * Kernel reference counts of UNIX sockets by inode, from /proc/net/unix (the seed's REF column;
     * sock_diag does not report it). An unreadable table gives no counts, not an error.
     */
    static Map<Long, Integer> refCounts() {
        Map<Long, Integer> counts = new HashMap<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/unix"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 7) {
                    counts.put(Long.parseLong(f[6]), Integer.parseInt(f[1], 16));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Map.of();
        }
        return counts;
    }

    private static Optional<Instant> mtime(Path socket) {
        try {
            return Optional.of(Files.getLastModifiedTime(socket, LinkOption.NOFOLLOW_LINKS).toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String permissions(Path socket) {
        try {
            return "s" + PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return "N/A";
        }
    }
}
