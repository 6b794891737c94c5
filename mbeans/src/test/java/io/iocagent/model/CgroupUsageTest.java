package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.proc.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
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

        Optional<CgroupUsage> usage = CgroupUsage.of(root, new ProcessTable(),
                "/system.slice/system-epics\\x2d.slice/epics-@m.service");

        assertEquals(Optional.of(new CgroupUsage(1_500_000_000L, 7_340_032L)), usage);
    }

    @Test
    void theUnifiedHierarchyOfAHybridLayoutIsUsedToo() throws IOException {
        Path g = group("unified/user.slice/u.service");
        Files.writeString(g.resolve("cpu.stat"), "usage_usec 42\n");
        Files.writeString(g.resolve("memory.current"), "4096\n");

        assertEquals(Optional.of(new CgroupUsage(42_000L, 4096L)),
                CgroupUsage.of(root, new ProcessTable(), "/user.slice/u.service"));
    }

    @Test
    void withoutCgroupFilesProcessesAreSummedAndAnUnknownGroupIsEmpty() {
        Optional<CgroupUsage> usage = CgroupUsage.of(root, new ProcessTable(), "/no/such.service");
        assertTrue(usage.isEmpty() || usage.get().memoryBytes() == 0, usage.toString());
        assertTrue(CgroupUsage.of(root, new ProcessTable(), "").isEmpty());
        assertTrue(CgroupUsage.of(root, new ProcessTable(), "/a/../../etc").isEmpty());
    }

    @Test
    void withoutCpuStatTheCpuTimeOfTheGroupsProcessesIsSummed() throws IOException {
        String unit = "/user.slice/u.service";
        Path g = group("unified" + unit); // cgroup v1 with a named hierarchy: no cpu.stat, no memory.current
        Files.writeString(g.resolve("cgroup.procs"), "100\n101\n");
        Path proc = root.resolve("proc");
        Files.createDirectories(proc);
        Files.writeString(proc.resolve("stat"), "cpu  1 2 3 4\nbtime 1795486859\n");
        fakeProcess(proc, 100, 250, 130, 300);
        fakeProcess(proc, 101, 40, 20, 100);
        ProcessTable table = ProcessTable.over(proc, root);

        CgroupUsage usage = CgroupUsage.of(root, table, unit)
                .orElseThrow(() -> new AssertionError("no usage for " + unit));

        long expected = table.process(100).orElseThrow().cpuTime().toNanos()
                + table.process(101).orElseThrow().cpuTime().toNanos();
        assertTrue(expected > 0, "the fake processes have used CPU");
        assertEquals(expected, usage.cpuNanos(),
                "without cpu.stat (systemd accounting off), list -v and the agent sum the CPU time of the group's processes");
        assertEquals(table.process(100).orElseThrow().rssBytes() + table.process(101).orElseThrow().rssBytes(),
                usage.memoryBytes(), "and their resident memory");
    }

    /** A /proc/PID with {@code stat}, {@code status}, {@code cmdline} and {@code statm} as the kernel writes them. */
    private static void fakeProcess(Path proc, int pid, long utime, long stime, long rssPages) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (st.cmd) S 1 " + pid + " " + pid + " 0 -1 4194560 100 0 0 0 "
                + utime + " " + stime + " 0 0 20 0 1 0 1000 123456789 " + rssPages
                + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        Files.writeString(dir.resolve("status"), "Name:\tst.cmd\nUid:\t1000\t1000\t1000\t1000\n");
        Files.write(dir.resolve("cmdline"), "./st.cmd\0".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("statm"), "2000 " + rssPages + " 50 10 0 200 0\n");
    }

    @Test
    void aReaderSumsProcessMemoryAgainOnlyWhenAskedOrEveryNthRead() throws IOException {
        String unit = "/user.slice/u.service";
        Path g = group("unified" + unit);
        Files.writeString(g.resolve("cpu.stat"), "usage_usec 7\n"); // no memory.current: no memory controller
        Files.writeString(g.resolve("cgroup.procs"), "100\n");
        Path statm = Files.createDirectories(root.resolve("proc/100")).resolve("statm");
        Files.writeString(statm, "2000 300 50 10 0 200 0\n");
        CgroupUsage.Reader reader = new CgroupUsage.Reader(root, ProcessTable.over(root.resolve("proc"), root), 3);

        long first = reader.read(unit, false).orElseThrow().memoryBytes();
        assertTrue(first > 0, "the resident memory of the group's process: " + first);
        Files.writeString(statm, "2000 600 50 10 0 200 0\n");
        assertEquals(new CgroupUsage(7_000, first), reader.read(unit, false).orElseThrow(),
                "same processes, second read: CPU read anew, memory as summed before");
        assertEquals(2 * first, reader.read(unit, true).orElseThrow().memoryBytes(), "fresh figures asked for");

        Files.writeString(statm, "2000 900 50 10 0 200 0\n");
        assertEquals(2 * first, reader.read(unit, false).orElseThrow().memoryBytes(), "1st read after the sum");
        assertEquals(2 * first, reader.read(unit, false).orElseThrow().memoryBytes(), "2nd read after the sum");
        assertEquals(3 * first, reader.read(unit, false).orElseThrow().memoryBytes(), "every 3rd read sums again");

        Files.createDirectories(root.resolve("proc/101"));
        Files.writeString(root.resolve("proc/101/statm"), "2000 300 50 10 0 200 0\n");
        Files.writeString(g.resolve("cgroup.procs"), "100\n101\n");
        assertEquals(3 * first, reader.read(unit, false).orElseThrow().memoryBytes(),
                "a process joined the group: between sums the group's list is not read");
        assertEquals(4 * first, reader.read(unit, true).orElseThrow().memoryBytes(),
                "a process joined the group: summed at the fresh read the model asks for");
        Files.delete(g.resolve("cgroup.procs"));
        assertEquals(new CgroupUsage(7_000, 4 * first), reader.read(unit, false).orElseThrow(),
                "between sums no process file is read at all");
    }

    @Test
    void cpuStatUsageIsFoundOnAnyLineAndAPrefixIsNoMatch() throws IOException {
        Path stat = Files.createDirectories(root.resolve("g")).resolve("cpu.stat");
        Files.writeString(stat, "nr_periods 0\nusage_usec_total 5\nusage_usec 1234\nuser_usec 1000\n");
        assertEquals(OptionalLong.of(1234), CgroupUsage.cpuStatMicros(stat));
        Files.writeString(stat, "usage_usec 99");
        assertEquals(OptionalLong.of(99), CgroupUsage.cpuStatMicros(stat), "no final newline");
        Files.writeString(stat, "usage_usec_total 5\n");
        assertTrue(CgroupUsage.cpuStatMicros(stat).isEmpty(), "only a longer key");
        Files.writeString(stat, "usage_usec 12x\n");
        assertTrue(CgroupUsage.cpuStatMicros(stat).isEmpty(), "not a number");
    }

    @Test
    void aReaderFollowsAGroupThatMovedToAnotherHierarchy() throws IOException {
        String unit = "/user.slice/u.service";
        Path hybrid = group("unified" + unit);
        Files.writeString(hybrid.resolve("cpu.stat"), "usage_usec 1\n");
        Files.writeString(hybrid.resolve("memory.current"), "10\n");
        CgroupUsage.Reader reader = new CgroupUsage.Reader(root, ProcessTable.over(root.resolve("proc"), root), 6);
        assertEquals(Optional.of(new CgroupUsage(1_000, 10)), reader.read(unit, false));

        Files.delete(hybrid.resolve("cpu.stat"));
        Path v2 = group(unit.substring(1));
        Files.writeString(v2.resolve("cpu.stat"), "usage_usec 2\n");
        Files.writeString(v2.resolve("memory.current"), "20\n");
        assertEquals(Optional.of(new CgroupUsage(2_000, 20)), reader.read(unit, false),
                "the remembered place lost its cpu.stat: the group is looked for again");
    }

    @Test
    void cpuStatWithoutUsageIsUnknown() throws IOException {
        Path stat = Files.writeString(root.resolve("cpu.stat"), "nr_periods 0\n");
        assertTrue(CgroupUsage.cpuStatMicros(stat).isEmpty());
    }
}
