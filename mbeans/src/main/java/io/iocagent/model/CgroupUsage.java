package io.iocagent.model;

import io.iocagent.proc.ProcessInfo;
import io.iocagent.proc.ProcessTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * CPU time and memory of a running unit, read from the file system instead of asking systemd: the
 * model polls these every few seconds for every IOC, and reading two small files is far cheaper
 * for everyone than asking the manager over D-Bus.
 *
 * <p>Where the figures come from, first that works:
 * <ul>
 *   <li>CPU: {@code usage_usec} of the group's {@code cpu.stat} (cgroup v2, present whether or not
 *       the cpu controller is enabled) — the value systemd reports as {@code CPUUsageNSec};
 *       otherwise user plus system time summed over the group's processes from {@code /proc}
 *       (processes that already exited are then missing).</li>
 *   <li>Memory: the group's {@code memory.current} (cgroup v2 with the memory controller) — what
 *       systemd reports as {@code MemoryCurrent}; otherwise the resident set size summed over the
 *       group's processes ({@link ProcessTable#residentBytes}), which leaves out page cache.</li>
 * </ul>
 * The {@code /proc} sums are what {@code list} shows when systemd's accounting is off (systemd then
 * reports {@code UINT64_MAX}, see {@code org.freedesktop.systemd1(5)}).
 *
 * @param cpuNanos    CPU time, nanoseconds
 * @param memoryBytes memory, bytes
 */
public record CgroupUsage(long cpuNanos, long memoryBytes) {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    /**
     * The usage of the unit in {@code controlGroup} (systemd's {@code ControlGroup} property);
     * empty when the group is unnamed or cannot be read.
     */
    public static Optional<CgroupUsage> of(ProcessTable processes, String controlGroup) {
        return new Reader(CGROUP_ROOT, processes, 1).read(controlGroup, true);
    }

    /** A {@link Reader} of the live cgroup tree, summing {@code /proc} memory at least every {@code procEvery}-th read. */
    static Reader reader(ProcessTable processes, int procEvery) {
        return new Reader(CGROUP_ROOT, processes, procEvery);
    }

    static Optional<CgroupUsage> of(Path cgroupRoot, ProcessTable processes, String controlGroup) {
        return new Reader(cgroupRoot, processes, 1).read(controlGroup, true);
    }

    /**
     * Reads the usage of many groups poll after poll with the rules above, doing per poll only what
     * must be done again: it remembers where each group's files are (so no poll probes a hierarchy
     * that lacks them), and where memory must be summed from {@code /proc} it lists the group's
     * processes and sums again only when asked for fresh figures (the model asks so for a unit
     * whose child started or stopped) or every {@code procEvery}-th read of the group (resident
     * memory drifts slowly); in between a read is one small file, {@code cpu.stat}.
     *
     * <p>Not thread-safe: one thread (the refresher's poll) owns it.
     */
    static final class Reader {

        /** Where a group's figures come from, and the last {@code /proc} memory sum. */
        private static final class Known {
            Path v2; // the group's directory in the hierarchy with its cpu.stat; null: none (cgroup v1)
            boolean memoryFile; // v2 has memory.current
            long memory = -1;
            int readsSinceSum;
        }

        private final Path cgroupRoot;
        private final ProcessTable processes;
        private final int procEvery;
        private final Map<String, Known> groups = new HashMap<>();

        /** @param procEvery sum {@code /proc} memory again at least every this many reads of a group; positive */
        Reader(Path cgroupRoot, ProcessTable processes, int procEvery) {
            if (procEvery < 1) {
                throw new IllegalArgumentException("procEvery must be positive, got " + procEvery);
            }
            this.cgroupRoot = cgroupRoot;
            this.processes = processes;
            this.procEvery = procEvery;
        }

        /** Forgets the groups not in {@code live} (units that stopped), so the memory stays bounded. */
        void retain(java.util.Collection<String> live) {
            groups.keySet().retainAll(new java.util.HashSet<>(live)); // a set: retainAll asks contains() of each
        }

        /**
         * @param fresh sum {@code /proc} now whatever was remembered (the group's unit just started or stopped)
         * @return empty when the group is unnamed or cannot be read
         */
        Optional<CgroupUsage> read(String controlGroup, boolean fresh) {
            if (controlGroup == null || !controlGroup.startsWith("/") || ("/" + controlGroup + "/").contains("/../")) {
                return Optional.empty();
            }
            Known known = groups.get(controlGroup);
            OptionalLong cpu = OptionalLong.empty();
            if (known != null && known.v2 != null) {
                cpu = cpuStatMicros(known.v2.resolve("cpu.stat"));
                if (cpu.isEmpty()) {
                    known = null; // the group went away or moved: look again
                }
            }
            if (known == null) {
                known = locate(controlGroup);
                cpu = known.v2 == null ? OptionalLong.empty() : cpuStatMicros(known.v2.resolve("cpu.stat"));
                groups.put(controlGroup, known);
            }
            OptionalLong memory = known.memoryFile ? number(known.v2.resolve("memory.current")) : OptionalLong.empty();
            if (cpu.isPresent() && memory.isPresent()) {
                return Optional.of(new CgroupUsage(cpu.getAsLong() * 1_000, memory.getAsLong()));
            }
            if (cpu.isPresent() && !fresh && known.memory >= 0 && ++known.readsSinceSum < procEvery) {
                // Between sums not even the group's process list is read: a child that started or
                // died is noticed by its unit or its log, and its IOC read fresh (Refresher).
                return Optional.of(new CgroupUsage(cpu.getAsLong() * 1_000, known.memory));
            }
            try {
                List<Integer> pids = processes.cgroupPids(controlGroup);
                if (cpu.isPresent()) {
                    long rss = 0;
                    for (int pid : pids) {
                        rss += processes.residentBytes(pid);
                    }
                    known.memory = rss;
                    known.readsSinceSum = 0;
                    return Optional.of(new CgroupUsage(cpu.getAsLong() * 1_000, known.memory));
                }
                long cpuSum = 0;
                long rssSum = 0;
                for (int pid : pids) {
                    Optional<ProcessInfo> p = processes.process(pid);
                    if (p.isPresent()) {
                        cpuSum += p.get().cpuTime().toNanos();
                        rssSum += p.get().rssBytes();
                    }
                }
                return Optional.of(new CgroupUsage(cpuSum, rssSum));
            } catch (IOException | IllegalArgumentException e) {
                return Optional.empty();
            }
        }

        /** The hierarchy whose copy of the group has a {@code cpu.stat}: the cgroup root (v2), else {@code unified} (hybrid). */
        private Known locate(String controlGroup) {
            Known k = new Known();
            String relative = controlGroup.substring(1);
            for (Path hierarchy : List.of(cgroupRoot, cgroupRoot.resolve("unified"))) {
                Path group = relative.isEmpty() ? hierarchy : hierarchy.resolve(relative);
                if (Files.isRegularFile(group.resolve("cpu.stat"))) {
                    k.v2 = group;
                    k.memoryFile = Files.isRegularFile(group.resolve("memory.current"));
                    break;
                }
            }
            return k;
        }
    }

    /**
     * {@code usage_usec} of a {@code cpu.stat} file; empty when the file or the key is missing.
     * Read as bytes, not lines: a poll reads one per IOC, and {@code Files.readAllLines} allocates
     * some 24 KiB of buffers for each small file.
     */
    static OptionalLong cpuStatMicros(Path cpuStat) {
        String key = "usage_usec ";
        try {
            String text = new String(Files.readAllBytes(cpuStat), StandardCharsets.US_ASCII);
            int at = text.startsWith(key) ? 0 : text.indexOf("\n" + key) + 1; // 0 when absent
            if (!text.startsWith(key, at)) {
                return OptionalLong.empty();
            }
            int from = at + key.length();
            int to = text.indexOf('\n', from);
            return OptionalLong.of(Long.parseLong(text.substring(from, to < 0 ? text.length() : to).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static OptionalLong number(Path file) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
