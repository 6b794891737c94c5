package io.iocagent.proc;

import io.iocagent.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Reads processes from {@code /proc} (and, through {@link ControlGroups}, control groups from
 * {@code /sys/fs/cgroup}): the replacement for {@code lsof}, {@code ps} and {@code find} in
 * {@code list -v/-vv} and {@code inspect}.
 *
 * <p>{@code /proc} changes while it is read. A process that exits mid-scan ({@code ENOENT},
 * {@code ESRCH}) is skipped without a word: it no longer holds anything. A process whose
 * descriptors may not be read is counted in {@link SocketHolders#uninspected()}, so the caller can
 * tell the user the picture is partial.
 *
 * <p>Thread-safe: no state but caches (boot time, user names).
 */
public final class ProcessTable {

    private static final String SOCKET_LINK = "socket:[";

    private final Path proc;
    private final ControlGroups cgroups;
    private final long ticksPerSecond;
    private final long pageSize;
    private final IntFunction<String> userNames;
    private final Map<Integer, String> userCache = new ConcurrentHashMap<>();
    private volatile Instant bootTime;

    /** The live system: {@code /proc}, {@code /sys/fs/cgroup}, sysconf units, the user database. */
    public ProcessTable() {
        this(Path.of("/proc"), Path.of("/sys/fs/cgroup"), Sysconf.CLOCK_TICKS, Sysconf.PAGE_SIZE, Posix::userName);
    }

    /**
     * A table over other roots laid out like {@code /proc} and {@code /sys/fs/cgroup}, with the live
     * system's units and user database: for tests of the readers built on it.
     */
    public static ProcessTable over(Path proc, Path cgroupRoot) {
        return new ProcessTable(proc, cgroupRoot, Sysconf.CLOCK_TICKS, Sysconf.PAGE_SIZE, Posix::userName);
    }

    /** A table over other roots, for tests: {@code proc} laid out like {@code /proc}. */
    ProcessTable(Path proc, Path cgroupRoot, long ticksPerSecond, long pageSize, IntFunction<String> userNames) {
        this.proc = proc;
        this.cgroups = new ControlGroups(cgroupRoot);
        this.ticksPerSecond = ticksPerSecond;
        this.pageSize = pageSize;
        this.userNames = userNames;
    }

    /** The holders of every socket: one pass over {@code /proc/[0-9]*}{@code /fd/*}. */
    public SocketHolders socketHolders() throws IOException {
        return scan(null);
    }

    /**
     * The holders of the sockets in {@code inodes} only. The scan still reads every descriptor
     * link (the kernel offers no index by inode), but builds a map of just these.
     */
    public SocketHolders socketHolders(Set<Long> inodes) throws IOException {
        return scan(Set.copyOf(inodes));
    }

    private SocketHolders scan(Set<Long> wanted) throws IOException {
        Map<Long, List<Integer>> holders = new HashMap<>();
        int inspected = 0;
        int uninspected = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc)) {
            for (Path pidDir : pids) {
                int pid = pidOf(pidDir.getFileName().toString());
                if (pid <= 0) {
                    continue;
                }
                switch (scanDescriptors(pid, pidDir.resolve("fd"), wanted, holders)) {
                    case INSPECTED:
                        inspected++;
                        break;
                    case DENIED:
                        uninspected++;
                        break;
                    default:
                        break;
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        holders.replaceAll((inode, list) -> {
            if (list.size() > 1) {
                Collections.sort(list);
            }
            return List.copyOf(list);
        });
        return new SocketHolders(holders, inspected, uninspected);
    }

    private enum Outcome { INSPECTED, DENIED, GONE }

    private Outcome scanDescriptors(int pid, Path fdDir, Set<Long> wanted, Map<Long, List<Integer>> holders) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException e) {
                    continue; // closed since the directory was listed
                }
                long inode = socketInode(target);
                if (inode < 0 || (wanted != null && !wanted.contains(inode))) {
                    continue;
                }
                List<Integer> pids = holders.computeIfAbsent(inode, k -> new ArrayList<>(1));
                if (pids.isEmpty() || pids.get(pids.size() - 1) != pid) {
                    pids.add(pid); // a process holding one socket in several descriptors counts once
                }
            }
            return Outcome.INSPECTED;
        } catch (AccessDeniedException e) {
            return isKernelThread(pid) ? Outcome.GONE : Outcome.DENIED;
        } catch (NoSuchFileException e) {
            return Outcome.GONE;
        } catch (DirectoryIteratorException | IOException e) {
            // ESRCH and friends while the process exits arrive as generic errors; if it is gone, fine.
            return Files.exists(fdDir.getParent()) ? Outcome.DENIED : Outcome.GONE;
        }
    }

    /**
     * The sockets process {@code pid} holds: the inodes of its {@code socket:[INODE]} descriptor
     * links (threads share them). One directory listing and one link read per descriptor.
     *
     * @return the inodes; empty when the process is gone. Empty too, with
     *         {@code readable=false}, when its descriptors may not be read
     */
    public HeldSockets socketsOf(int pid) {
        Map<Long, List<Integer>> holders = new HashMap<>();
        Outcome outcome = scanDescriptors(pid, proc.resolve(Integer.toString(pid)).resolve("fd"), null, holders);
        return new HeldSockets(holders.keySet(), outcome != Outcome.DENIED);
    }

    /**
     * The sockets of one process.
     *
     * @param inodes   socket inodes
     * @param readable false when the process's descriptors could not be read (needs the same user,
     *                 root or {@code CAP_SYS_PTRACE})
     */
    public record HeldSockets(Set<Long> inodes, boolean readable) {

        public HeldSockets {
            inodes = Set.copyOf(inodes);
        }
    }

    /** The inode of a {@code socket:[INODE]} link target, or -1 for any other target. */
    static long socketInode(String target) {
        int n = target.length();
        if (!target.startsWith(SOCKET_LINK) || target.charAt(n - 1) != ']' || n == SOCKET_LINK.length() + 1) {
            return -1;
        }
        long inode = 0;
        for (int i = SOCKET_LINK.length(); i < n - 1; i++) {
            char c = target.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            inode = inode * 10 + (c - '0');
        }
        return inode;
    }

    private boolean isKernelThread(int pid) {
        try {
            return readStat(pid).isKernelThread();
        } catch (IOException | IllegalArgumentException e) {
            return false; // stat unreadable too: count the process as not inspected, the safe side
        }
    }

    /**
     * Process {@code pid} as it is now; empty when there is no such process (any more).
     *
     * @throws IOException when {@code /proc/PID} exists but cannot be read (e.g. {@code hidepid})
     */
    public Optional<ProcessInfo> process(int pid) throws IOException {
        Path dir = proc.resolve(Integer.toString(pid));
        try {
            ProcStat stat = readStat(pid);
            int uid = effectiveUid(text(dir.resolve("status")));
            String command = commandLine(Files.readAllBytes(dir.resolve("cmdline")), stat.comm());
            return Optional.of(new ProcessInfo(pid, stat.ppid(), uid, userName(uid), startTime(stat), stat.state(),
                    stat.comm(), command, cpuTime(stat), stat.rssPages() * pageSize));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (FileSystemException e) {
            if (!Files.exists(dir)) {
                return Optional.empty(); // ESRCH: it exited while being read
            }
            throw e;
        }
    }

    /**
     * The parent of live process {@code pid} from its {@code stat} alone (not the three files
     * {@link #process} reads); -1 when the process is gone, a zombie (dead, not yet reaped) or
     * cannot be read.
     */
    public int parentPid(int pid) {
        try {
            ProcStat stat = readStat(pid);
            return stat.state() == 'Z' || stat.state() == 'X' ? -1 : stat.ppid();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * The resident set of process {@code pid} in bytes, from the second field of
     * {@code /proc/PID/statm}: the same {@code get_mm_rss()} figure as {@code VmRSS} in
     * {@code status}, from a file the kernel writes with a fraction of the work. 0 when the process
     * is gone or has no memory (a zombie, a kernel thread) or the file cannot be read.
     */
    public long residentBytes(int pid) {
        try {
            String statm = new String(Files.readAllBytes(proc.resolve(Integer.toString(pid)).resolve("statm")),
                    StandardCharsets.US_ASCII);
            int from = statm.indexOf(' ') + 1;
            int to = statm.indexOf(' ', from);
            return from == 0 || to < 0 ? 0 : Long.parseLong(statm, from, to, 10) * pageSize;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private ProcStat readStat(int pid) throws IOException {
        String line = text(proc.resolve(Integer.toString(pid)).resolve("stat"));
        try {
            return ProcStat.parse(line);
        } catch (IllegalArgumentException e) {
            throw new IOException("Unexpected contents of " + proc.resolve(pid + "/stat") + ": " + e.getMessage(), e);
        }
    }

    /**
     * A {@code /proc} file as text. Not {@code Files.readString}: the command name in {@code stat}
     * and {@code status} is whatever bytes the process set, and readString throws on bytes that are
     * not UTF-8 where this decodes them as U+FFFD.
     */
    private static String text(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private Instant startTime(ProcStat stat) throws IOException {
        long ticks = stat.startTime();
        return bootTime().plusSeconds(ticks / ticksPerSecond)
                .plusNanos((ticks % ticksPerSecond) * 1_000_000_000L / ticksPerSecond);
    }

    private Duration cpuTime(ProcStat stat) {
        long ticks = stat.utime() + stat.stime();
        return Duration.ofSeconds(ticks / ticksPerSecond, (ticks % ticksPerSecond) * 1_000_000_000L / ticksPerSecond);
    }

    /** Boot time from the {@code btime} line of {@code /proc/stat} (seconds since the epoch), read once. */
    private Instant bootTime() throws IOException {
        Instant boot = bootTime;
        if (boot == null) {
            Path stat = proc.resolve("stat");
            boot = Files.readAllLines(stat, StandardCharsets.US_ASCII).stream()
                    .filter(l -> l.startsWith("btime "))
                    .map(l -> Instant.ofEpochSecond(Long.parseLong(l.substring(6).trim())))
                    .findFirst()
                    .orElseThrow(() -> new IOException("No btime line in " + stat + "."));
            bootTime = boot;
        }
        return boot;
    }

    private String userName(int uid) {
        return userCache.computeIfAbsent(uid, userNames::apply);
    }

    /** The effective uid: the second number of the {@code Uid:} line of {@code /proc/PID/status}. */
    static int effectiveUid(String status) throws IOException {
        int at;
        if (status.startsWith("Uid:")) {
            at = 0;
        } else {
            at = status.indexOf("\nUid:");
            if (at < 0) {
                throw new IOException("No Uid line in /proc/PID/status.");
            }
            at++;
        }
        int eol = status.indexOf('\n', at);
        String line = status.substring(at, eol < 0 ? status.length() : eol);
        String[] ids = line.substring(4).trim().split("\\s+");
        if (ids.length < 2) {
            throw new IOException("Unexpected line in /proc/PID/status: '" + line + "'");
        }
        return Integer.parseUnsignedInt(ids[1]);
    }

    /** {@code cmdline} bytes (arguments each ended by NUL) joined by spaces; {@code [comm]} when empty. */
    static String commandLine(byte[] cmdline, String comm) {
        int n = cmdline.length;
        while (n > 0 && cmdline[n - 1] == 0) {
            n--;
        }
        if (n == 0) {
            return "[" + comm + "]";
        }
        byte[] text = new byte[n];
        for (int i = 0; i < n; i++) {
            text[i] = cmdline[i] == 0 ? (byte) ' ' : cmdline[i];
        }
        return new String(text, StandardCharsets.UTF_8);
    }

    /**
     * The PIDs in control group {@code controlGroup} and the groups below it; see
     * {@link ControlGroups#pids}.
     */
    public List<Integer> cgroupPids(String controlGroup) throws IOException {
        return cgroups.pids(controlGroup);
    }

    /** The PID a {@code /proc} entry name stands for, or -1 when it is not all digits. */
    private static int pidOf(String name) {
        int n = name.length();
        if (n == 0 || n > 9) {
            return -1;
        }
        int pid = 0;
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            pid = pid * 10 + (c - '0');
        }
        return pid;
    }
}
