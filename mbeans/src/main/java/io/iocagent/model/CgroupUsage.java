package io.iocagent.model;

import io.iocagent.proc.ProcessInfo;
import io.iocagent.proc.ProcessTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * CPU time and memory of a running unit, read from the file system instead of asking systemd: the
 * model polls these every few seconds for every IOC, and reading two small files is far cheaper
 * for everyone than a D-Bus {@code GetAll} (which makes the manager serialise some 250 properties).
 *
 * <p>Where the figures come from, first that works:
 * <ul>
 *   <li>CPU: {@code usage_usec} of the group's {@code cpu.stat} (cgroup v2, present whether or not
 *       the cpu controller is enabled) — the value systemd reports as {@code CPUUsageNSec};
 *       otherwise user plus system time summed over the group's processes from {@code /proc}
 *       (processes that already exited are then missing).</li>
 *   <li>Memory: the group's {@code memory.current} (cgroup v2 with the memory controller) — what
 *       systemd reports as {@code MemoryCurrent}; otherwise the resident set size summed over the
 *       group's processes ({@code VmRSS} of {@code /proc/PID/status}, one small read each), which
 *       leaves out page cache.</li>
 * </ul>
 * The {@code /proc} sums are what {@code list} shows when systemd's accounting is off (systemd then
 * reports {@code UINT64_MAX}, see {@code org.freedesktop.systemd1(5)}).
 *
 * @param cpuNanos    CPU time, nanoseconds
 * @param memoryBytes memory, bytes
 */
public record CgroupUsage(long cpuNanos, long memoryBytes) {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final Path PROC = Path.of("/proc");

    /**
     * The usage of the unit in {@code controlGroup} (systemd's {@code ControlGroup} property);
     * empty when the group is unnamed or cannot be read.
     */
    public static Optional<CgroupUsage> of(ProcessTable processes, String controlGroup) {
        return of(CGROUP_ROOT, PROC, processes, controlGroup);
    }

    static Optional<CgroupUsage> of(Path cgroupRoot, Path proc, ProcessTable processes, String controlGroup) {
        if (controlGroup == null || !controlGroup.startsWith("/") || ("/" + controlGroup + "/").contains("/../")) {
            return Optional.empty();
        }
        String relative = controlGroup.substring(1);
        OptionalLong cpu = OptionalLong.empty();
        OptionalLong memory = OptionalLong.empty();
        for (Path hierarchy : List.of(cgroupRoot, cgroupRoot.resolve("unified"))) {
            Path group = relative.isEmpty() ? hierarchy : hierarchy.resolve(relative);
            cpu = cpuStatMicros(group.resolve("cpu.stat"));
            if (cpu.isPresent()) {
                cpu = OptionalLong.of(cpu.getAsLong() * 1_000);
                memory = number(group.resolve("memory.current"));
                break;
            }
        }
        if (cpu.isPresent() && memory.isPresent()) {
            return Optional.of(new CgroupUsage(cpu.getAsLong(), memory.getAsLong()));
        }
        try {
            long cpuSum = 0;
            long rssSum = 0;
            for (int pid : processes.cgroupPids(controlGroup)) {
                if (cpu.isPresent()) {
                    rssSum += residentBytes(proc.resolve(Integer.toString(pid)).resolve("status"));
                } else {
                    Optional<ProcessInfo> p = processes.process(pid);
                    if (p.isPresent()) {
                        cpuSum += p.get().cpuTime().toNanos();
                        rssSum += p.get().rssBytes();
                    }
                }
            }
            return Optional.of(new CgroupUsage(cpu.orElse(cpuSum), rssSum));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code VmRSS} of a {@code /proc/PID/status} in bytes; 0 when the process is gone or has none (zombie). */
    static long residentBytes(Path status) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring("VmRSS:".length()).trim();
                    return Long.parseLong(kb.substring(0, kb.indexOf(' ')).trim()) * 1024;
                }
            }
            return 0;
        } catch (IOException | NumberFormatException | IndexOutOfBoundsException e) {
            return 0;
        }
    }

    /** {@code usage_usec} of a {@code cpu.stat} file; empty when the file or the key is missing. */
    static OptionalLong cpuStatMicros(Path cpuStat) {
        try {
            for (String line : Files.readAllLines(cpuStat, StandardCharsets.US_ASCII)) {
                if (line.startsWith("usage_usec ")) {
                    return OptionalLong.of(Long.parseLong(line.substring("usage_usec ".length()).trim()));
                }
            }
            return OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static OptionalLong number(Path file) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
