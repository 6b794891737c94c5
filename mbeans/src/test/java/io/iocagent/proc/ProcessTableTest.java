package io.iocagent.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTableTest {

    @TempDir
    Path tmp;

    private FakeProc proc() throws IOException {
        return new FakeProc(tmp.resolve("proc"));
    }

    @Test
    void socketHoldersMapEachInodeToTheProcessesHoldingItOncePerProcess() throws Exception {
        FakeProc proc = proc()
                .socket(300, 3, 555).fd(300, 4, "anon_inode:[timerfd]").socket(300, 5, 555).fd(300, 6, "pipe:[555]")
                .socket(100, 0, 555).socket(100, 7, 777)
                .fd(200, 1, "anon_inode:[eventfd]");

        SocketHolders holders = proc.table(tmp).socketHolders();

        assertEquals(Map.of(555L, List.of(100, 300), 777L, List.of(100)), holders.pidsByInode());
        assertEquals(3, holders.inspected());
        assertEquals(0, holders.uninspected());
        assertEquals(List.of(), holders.pids(999));
    }

    @Test
    void socketHoldersForChosenInodesLeaveOthersOut() throws Exception {
        FakeProc proc = proc().socket(100, 0, 555).socket(100, 1, 777).socket(101, 0, 888);

        SocketHolders holders = proc.table(tmp).socketHolders(Set.of(777L, 888L, 999L));

        assertEquals(Map.of(777L, List.of(100), 888L, List.of(101)), holders.pidsByInode());
    }

    @Test
    void processThatExitedBeforeItsDescriptorsWereReadIsSkippedSilently() throws Exception {
        FakeProc proc = proc().socket(100, 0, 555).vanished(101);

        SocketHolders holders = proc.table(tmp).socketHolders();

        assertEquals(1, holders.inspected());
        assertEquals(0, holders.uninspected(), "an exited process is not an uninspectable one");
    }

    @Test
    void socketInodeIsReadOnlyFromSocketLinkTargets() {
        assertEquals(12345, ProcessTable.socketInode("socket:[12345]"));
        assertEquals(4294967295L, ProcessTable.socketInode("socket:[4294967295]"));
        assertEquals(-1, ProcessTable.socketInode("pipe:[12345]"));
        assertEquals(-1, ProcessTable.socketInode("socket:[]"));
        assertEquals(-1, ProcessTable.socketInode("socket:[12a]"));
        assertEquals(-1, ProcessTable.socketInode("/tmp/socket:[1]"));
    }

    @Test
    void processReportsStartTimeCpuTimeMemoryUserAndCommandLine() throws Exception {
        FakeProc proc = proc().process(4242, 1, "procServ", 'S', 1000, 250, 130, 123_456, 300,
                "/usr/bin/procServ\0-f\0unix:/run/x/control\0/bin/sleep\0");

        ProcessInfo p = proc.table(tmp).process(4242).orElseThrow();

        assertEquals(4242, p.pid());
        assertEquals(1, p.ppid());
        assertEquals(1000, p.uid());
        assertEquals("alice", p.user());
        assertEquals('S', p.state());
        assertEquals(Instant.ofEpochSecond(FakeProc.BOOT + 1234, 560_000_000), p.startTime());
        assertEquals(Duration.ofMillis(3800), p.cpuTime());
        assertEquals(300 * FakeProc.PAGE, p.rssBytes());
        assertEquals("/usr/bin/procServ -f unix:/run/x/control /bin/sleep", p.commandLine());
        assertEquals("procServ", p.name());
    }

    @Test
    void userIsTheEffectiveOne() throws Exception {
        FakeProc proc = proc().process(7, 1, "su", 'S', 0, 0, 0, 1, 1, "su\0");

        ProcessInfo p = proc.table(tmp).process(7).orElseThrow();

        assertEquals(0, p.uid(), "status has real uid 1000, effective 0");
        assertEquals("u0", p.user());
    }

    @Test
    void processWithoutArgumentsIsShownByItsNameInBrackets() throws Exception {
        FakeProc proc = proc().process(2, 0, "kthreadd", 'S', 0, 0, 0, 0, 0, "");

        assertEquals("[kthreadd]", proc.table(tmp).process(2).orElseThrow().commandLine());
    }

    @Test
    void commandNameWithSpacesAndParenthesesDoesNotShiftTheFields() throws Exception {
        FakeProc proc = proc().process(9, 3, "a) (b c)", 'R', 1000, 1, 2, 3, 4, "x\0");

        ProcessInfo p = proc.table(tmp).process(9).orElseThrow();

        assertEquals(3, p.ppid());
        assertEquals('R', p.state());
        assertEquals(4 * FakeProc.PAGE, p.rssBytes());
    }

    @Test
    void commandNameThatIsNotUtf8IsReadNotRejected() throws Exception {
        FakeProc proc = proc().process(12, 1, "xx", 'S', 1000, 0, 0, 1, 1, "");
        for (String file : List.of("stat", "status")) {
            Path p = proc.root().resolve("12/" + file);
            byte[] bytes = Files.readAllBytes(p);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int at = text.indexOf("xx");
            bytes[at] = (byte) 0xFF; // a Latin-1 name set with prctl(PR_SET_NAME)
            Files.write(p, bytes);
        }

        ProcessInfo p = proc.table(tmp).process(12).orElseThrow();

        assertEquals("[\uFFFDx]", p.commandLine());
        assertEquals(1000, p.uid());
    }

    @Test
    void processThatDoesNotExistIsEmpty() throws Exception {
        assertEquals(Optional.empty(), proc().table(tmp).process(31337));
    }

    @Test
    void statLineParserRejectsOtherText() {
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("not a stat line"));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("1 (x) S 0"));
    }

    @Test
    void kernelThreadIsRecognisedByItsFlag() {
        String kthread = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0"
                + " 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 0 0";
        String user = "9 (bash) S 1 9 9 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0"
                + " 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0";

        assertTrue(ProcStat.parse(kthread).isKernelThread());
        assertTrue(!ProcStat.parse(user).isKernelThread());
    }

    @Test
    void effectiveUidIsTheSecondFieldOfTheUidLine() throws Exception {
        assertEquals(33, ProcessTable.effectiveUid("Name:\tx\nUid:\t1000\t33\t33\t33\nGid:\t1\t1\t1\t1\n"));
        assertThrows(IOException.class, () -> ProcessTable.effectiveUid("Name:\tx\n"));
    }

    @Test
    void parentPidComesFromStatAndIsMinusOneForAProcessThatIsGone() throws Exception {
        ProcessTable table = proc().process(4242, 17, "softIoc", 'S', 1000, 1, 1, 1, 1, "x\0").table(tmp);
        assertEquals(17, table.parentPid(4242));
        assertEquals(-1, table.parentPid(4243), "no such process");
        ProcessTable zombie = proc().process(4244, 17, "softIoc", 'Z', 1000, 1, 1, 1, 0, "").table(tmp);
        assertEquals(-1, zombie.parentPid(4244), "a zombie is dead: it has no live parent to name");
    }

    @Test
    void residentBytesComeFromStatmAndAreZeroForAProcessThatIsGone() throws Exception {
        ProcessTable table = proc().process(4242, 1, "procServ", 'S', 1000, 250, 130, 123_456, 300, "x\0").table(tmp);
        assertEquals(300 * FakeProc.PAGE, table.residentBytes(4242), "resident pages of statm times the page size");
        assertEquals(0, table.residentBytes(4243), "a process that is gone holds no memory");
    }

    @Test
    void cgroupPidsListSubgroupsOnlyWhenCgroupStatCountsDescendants() throws Exception {
        Path cg = tmp.resolve("cgroup");
        String unit = "/user.slice/u.service";
        Files.createDirectories(cg.resolve("unified" + unit + "/sub"));
        Files.writeString(cg.resolve("unified" + unit + "/cgroup.procs"), "10\n");
        Files.writeString(cg.resolve("unified" + unit + "/sub/cgroup.procs"), "40\n");
        Files.writeString(cg.resolve("unified" + unit + "/cgroup.stat"), "nr_descendants 0\nnr_dying_descendants 0\n");
        assertEquals(List.of(10), proc().table(cg).cgroupPids(unit), "cgroup.stat says no subgroups: none listed");
        Files.writeString(cg.resolve("unified" + unit + "/cgroup.stat"), "nr_descendants 1\nnr_dying_descendants 0\n");
        assertEquals(List.of(10, 40), proc().table(cg).cgroupPids(unit), "one descendant: its processes count too");
    }

    @Test
    void cgroupPidsPreferTheUnifiedHierarchyAndIncludeSubgroupsOnce() throws Exception {
        Path cg = tmp.resolve("cgroup");
        String unit = "/system.slice/system-epics\\x2d.slice/epics-@a.service";
        Files.createDirectories(cg.resolve("unified" + unit + "/sub"));
        Files.writeString(cg.resolve("unified" + unit + "/cgroup.procs"), "30\n10\n30\n");
        Files.writeString(cg.resolve("unified" + unit + "/sub/cgroup.procs"), "40\n");
        Files.createDirectories(cg.resolve("systemd" + unit));
        Files.writeString(cg.resolve("systemd" + unit + "/cgroup.procs"), "99\n");

        assertEquals(List.of(30, 10, 40), proc().table(cg).cgroupPids(unit));
    }

    @Test
    void cgroupPidsFallBackToThePureV2AndThenTheNamedV1Hierarchy() throws Exception {
        Path v2 = tmp.resolve("v2");
        Files.createDirectories(v2.resolve("app.slice/x.service"));
        Files.writeString(v2.resolve("app.slice/x.service/cgroup.procs"), "5\n");
        Path v1 = tmp.resolve("v1");
        Files.createDirectories(v1.resolve("systemd/app.slice/x.service"));
        Files.writeString(v1.resolve("systemd/app.slice/x.service/cgroup.procs"), "6\n");

        assertEquals(List.of(5), proc().table(v2).cgroupPids("/app.slice/x.service"));
        assertEquals(List.of(6), proc().table(v1).cgroupPids("/app.slice/x.service"));
    }

    @Test
    void cgroupThatExistsNowhereHasNoPids() throws Exception {
        assertEquals(List.of(), proc().table(tmp.resolve("none")).cgroupPids("/gone.service"));
    }

    @Test
    void cgroupPathsThatCouldEscapeTheHierarchyAreRejected() throws Exception {
        ProcessTable table = proc().table(tmp);
        assertThrows(IllegalArgumentException.class, () -> table.cgroupPids("../etc"));
        assertThrows(IllegalArgumentException.class, () -> table.cgroupPids("/a/../../etc"));
        assertThrows(IllegalArgumentException.class, () -> table.cgroupPids("/.."));
    }
}
