package io.iocagent.ops;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.ConfSyntaxException;
import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.netlink.NetlinkException;
import io.iocagent.netlink.UnixSocket;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.proc.ConsoleClients;
import io.iocagent.proc.ProcessInfo;
import io.iocagent.proc.ProcessTable;
import io.iocagent.proc.SocketHolders;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@code list}: every IOC of the mode — installed configurations and units systemd knows, stopped
 * ones too — joined in one pass per source: the conf directory, one {@code ListUnitsByPatterns}
 * plus concurrent property reads, one netlink socket dump, one /proc scan. No per-IOC process is
 * forked. CPU and memory come from systemd's accounting when it is on, otherwise they are summed
 * over the unit's cgroup processes from /proc.
 */
public final class ListReport {

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
        /** everything, console clients too (JSON) */
        FULL
    }

    /** Collects the rows, sorted by IOC name. */
    public List<IocRow> collect(Detail detail) throws OperationException {
        Map<IocName, Path> installed = installedConfs();
        Map<UnitName, UnitSummary> units = Systemd.call(
                () -> session.systemd().listUnits(session.layout().templatePrefix()), "list the IOC units");
        TreeSet<IocName> names = new TreeSet<>(installed.keySet());
        units.keySet().forEach(u -> names.add(u.name()));
        List<UnitName> unitNames = names.stream().map(session::unit).toList();
        Map<UnitName, UnitState> states = Systemd.call(() -> session.systemd().states(unitNames), "read the IOC units");

        boolean wantSockets = detail.compareTo(Detail.SOCKET) >= 0;
        List<UnixSocket> dump = wantSockets ? dump() : List.of();
        Map<Long, Integer> refCounts = wantSockets ? refCounts() : Map.of();
        ProcessTable processes = new ProcessTable();
        SocketHolders holders = null;

        List<IocRow> rows = new ArrayList<>();
        for (IocName name : names) {
            UnitState state = states.get(session.unit(name));
            Path socketPath = socketPath(name, installed.get(name));
            Optional<IocRow.SocketFacts> socket = Optional.empty();
            if (wantSockets) {
                socket = dump.stream()
                        .filter(s -> s.isListening() && s.path().map(p -> p.equals(socketPath.toString())).orElse(false))
                        .findFirst()
                        .map(s -> new IocRow.SocketFacts(s.state() == UnixSocket.State.LISTEN ? "LISTEN" : s.state().name(),
                                s.inode(), s.pendingConnections(), s.backlog(), refCounts.getOrDefault(s.inode(), 0),
                                permissions(socketPath)));
            }
            List<IocRow.Client> clients = List.of();
            if (detail == Detail.FULL && socket.isPresent()) {
                if (holders == null) {
                    holders = socketHolders(processes);
                }
                clients = clients(socketPath, dump, holders, processes);
            }
            boolean active = state != null && state.isActive();
            OptionalLong cpu = state == null ? OptionalLong.empty() : state.cpuNanos();
            OptionalLong mem = state == null ? OptionalLong.empty() : state.memoryBytes();
            if (detail.compareTo(Detail.PROCESS) >= 0 && active && (cpu.isEmpty() || mem.isEmpty())) {
                long[] summed = cgroupUsage(processes, state.controlGroup());
                if (summed != null) {
                    cpu = cpu.isPresent() ? cpu : OptionalLong.of(summed[0]);
                    mem = mem.isPresent() ? mem : OptionalLong.of(summed[1]);
                }
            }
            rows.add(new IocRow(name.value(), installed.containsKey(name),
                    state == null ? "inactive" : state.activeState(), state == null ? "dead" : state.subState(),
                    state == null ? "" : state.unitFileState(),
                    active ? mtime(socketPath) : Optional.empty(),
                    state == null || state.mainPid() <= 0 ? OptionalInt.empty() : OptionalInt.of(state.mainPid()),
                    active ? cpu : OptionalLong.empty(), active ? mem : OptionalLong.empty(),
                    socketPath.toString(), socket, clients));
        }
        return rows;
    }

    /** True when nothing could be listed because directories are closed to this user (the seed's #94 hint). */
    public boolean accessLimited() {
        Path confDir = session.layout().confDir();
        Path runDir = session.layout().runDir();
        return (Files.isDirectory(confDir) && !Files.isReadable(confDir))
                || (Files.isDirectory(runDir) && !(Files.isReadable(runDir) && Files.isExecutable(runDir)));
    }

    private Map<IocName, Path> installedConfs() throws OperationException {
        Path dir = session.layout().confDir();
        Map<IocName, Path> confs = new HashMap<>();
        if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
            return confs; // accessLimited() lets the caller say why the list may be short
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".conf") && Files.isRegularFile(p)).forEach(p -> {
                String base = IocName.baseName(p.getFileName().toString());
                if (IocName.isValid(base)) {
                    confs.put(new IocName(base), p);
                }
            });
        } catch (IOException e) {
            throw OperationException.failure("Cannot list " + dir + ": " + e.getMessage(),
                    "  -> Check its permissions (group " + session.layout().identity().group() + ").");
        }
        return confs;
    }

    /** The installed IOC_PORT's socket path, else the standard one. */
    private Path socketPath(IocName name, Path conf) {
        if (conf != null) {
            try {
                Optional<String> port = ConfFile.read(conf, conf.toString()).get("IOC_PORT").filter(p -> !p.isEmpty());
                if (port.isPresent()) {
                    return IocPort.socketPath(port.get());
                }
            } catch (IOException | ConfSyntaxException e) {
                // An unreadable or broken conf still lists, with the standard path.
            }
        }
        return session.layout().socketPath(name);
    }

    private static List<UnixSocket> dump() throws OperationException {
        try {
            return new UnixSocketDiag().dump();
        } catch (NetlinkException e) {
            throw OperationException.failure("Cannot read the kernel's UNIX socket table: " + e.getMessage(),
                    "  -> The sock_diag netlink interface is needed (module unix_diag; not available in some containers).");
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

    private static SocketHolders socketHolders(ProcessTable processes) throws OperationException {
        try {
            return processes.socketHolders();
        } catch (IOException e) {
            throw OperationException.failure("Cannot scan /proc for socket holders: " + e.getMessage(),
                    "  -> /proc must be mounted and readable.");
        }
    }

    private static List<IocRow.Client> clients(Path socketPath, List<UnixSocket> dump, SocketHolders holders,
                                                ProcessTable processes) throws OperationException {
        try {
            return ConsoleClients.trace(socketPath, dump, holders, processes).clients().stream()
                    .map(c -> new IocRow.Client(c.pid(), c.user(), c.command(), c.since()))
                    .toList();
        } catch (IOException e) {
            throw OperationException.failure("Cannot map console clients of " + socketPath + ": " + e.getMessage(),
                    "  -> /proc must be mounted and readable.");
        }
    }

    /** {cpu ns, rss bytes} summed over the cgroup's processes, or null when it cannot be read. */
    private static long[] cgroupUsage(ProcessTable processes, String controlGroup) {
        if (controlGroup == null || controlGroup.isEmpty()) {
            return null;
        }
        try {
            long cpu = 0;
            long rss = 0;
            for (int pid : processes.cgroupPids(controlGroup)) {
                Optional<ProcessInfo> p = processes.process(pid);
                if (p.isPresent()) {
                    cpu += p.get().cpuTime().toNanos();
                    rss += p.get().rssBytes();
                }
            }
            return new long[] {cpu, rss};
        } catch (IOException e) {
            return null;
        }
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
