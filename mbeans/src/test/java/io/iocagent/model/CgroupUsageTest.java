package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.proc.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CPU and memory of a unit from its cgroup files. */
class CgroupUsageTest {

    @TempDir
    Path root;

    private Path group(String relative) throws IOException {
        return Files.createDirectories(root.resolve(relative));
    }

    @Test
    void cgroupV2FilesGiveWhatSystemdWouldReport() throws IOException {
        Path g = group("system.slice/system-epics\\x2d.slice/epics-@m.service");
        Files.writeString(g.resolve("cpu.stat"), "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n");
        Files.writeString(g.resolve("memory.current"), "7340032\n");

        Optional<CgroupUsage> usage = CgroupUsage.of(root, root.resolve("proc"), new ProcessTable(),
                "/system.slice/system-epics\\x2d.slice/epics-@m.service");

        assertEquals(Optional.of(new CgroupUsage(1_500_000_000L, 7_340_032L)), usage);
    }

    @Test
    void theUnifiedHierarchyOfAHybridLayoutIsUsedToo() throws IOException {
        Path g = group("unified/user.slice/u.service");
        Files.writeString(g.resolve("cpu.stat"), "usage_usec 42\n");
        Files.writeString(g.resolve("memory.current"), "4096\n");

        assertEquals(Optional.of(new CgroupUsage(42_000L, 4096L)),
                CgroupUsage.of(root, root.resolve("proc"), new ProcessTable(), "/user.slice/u.service"));
    }

    @Test
    void withoutCgroupFilesProcessesAreSummedAndAnUnknownGroupIsEmpty() {
        Optional<CgroupUsage> usage = CgroupUsage.of(root, root.resolve("proc"), new ProcessTable(), "/no/such.service");
        assertTrue(usage.isEmpty() || usage.get().memoryBytes() == 0, usage.toString());
        assertTrue(CgroupUsage.of(root, root.resolve("proc"), new ProcessTable(), "").isEmpty());
        assertTrue(CgroupUsage.of(root, root.resolve("proc"), new ProcessTable(), "/a/../../etc").isEmpty());
    }

    @Test
    void withoutCpuStatTheCpuTimeOfTheGroupsProcessesIsSummed() throws IOException {
        String own = ownControlGroup();
        // No cgroup files under the (empty) root: the fallback sums /proc over this JVM's own group.
        CgroupUsage usage = CgroupUsage.of(root, Path.of("/proc"), new ProcessTable(), own)
                .orElseThrow(() -> new AssertionError("no usage for this JVM's own cgroup " + own));
        long jvmCpu = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
        assertTrue(usage.cpuNanos() >= jvmCpu / 2,
                "cgroup " + own + ": the /proc fallback must sum the CPU time of the group's processes (this JVM alone has used "
                        + jvmCpu + " ns), got " + usage.cpuNanos());
        assertTrue(usage.memoryBytes() > 0, "the group's resident memory, got " + usage.memoryBytes());
    }

    @Test
    void withCpuStatButNoMemoryFileTheResidentMemoryOfTheGroupsProcessesIsSummed() throws IOException {
        String own = ownControlGroup();
        Path g = own.equals("/") ? root : group(own.substring(1));
        Files.writeString(g.resolve("cpu.stat"), "usage_usec 9\n");
        CgroupUsage usage = CgroupUsage.of(root, Path.of("/proc"), new ProcessTable(), own)
                .orElseThrow(() -> new AssertionError("no usage for this JVM's own cgroup " + own));
        assertEquals(9_000L, usage.cpuNanos(), "cpu.stat decides the CPU time");
        assertTrue(usage.memoryBytes() > 0, "VmRSS summed over the group's processes, got " + usage.memoryBytes());
    }

    /** This JVM's cgroup v2 path ({@code 0::PATH} of /proc/self/cgroup). */
    private static String ownControlGroup() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::"))
                .map(l -> l.substring(3)).findFirst()
                .orElseThrow(() -> new AssertionError("/proc/self/cgroup has no cgroup v2 line"));
    }

    @Test
    void residentMemoryComesFromVmRssOfTheProcessStatus() throws IOException {
        Path status = Files.writeString(root.resolve("status"),
                "Name:\tprocServ\nVmPeak:\t   9000 kB\nVmRSS:\t    2048 kB\nThreads:\t1\n");
        assertEquals(2048L * 1024, CgroupUsage.residentBytes(status));
        assertEquals(0, CgroupUsage.residentBytes(root.resolve("gone")));
    }

    @Test
    void cpuStatWithoutUsageIsUnknown() throws IOException {
        Path stat = Files.writeString(root.resolve("cpu.stat"), "nr_periods 0\n");
        assertTrue(CgroupUsage.cpuStatMicros(stat).isEmpty());
    }
}
