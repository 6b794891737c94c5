package io.iocagent.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import io.iocagent.netlink.ConsoleSocketFixture;
import io.iocagent.netlink.UnixSocket;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.posix.Posix;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link ProcessTable} against the live {@code /proc} and cgroup file system. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessTableIT {

    private static final int NOBODY = 65534;
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    @TempDir
    Path tmp;

    private final ProcessTable processes = new ProcessTable();

    @Test
    void thisJvmIsDescribedAsTheJdkSeesIt() throws Exception {
        ProcessHandle self = ProcessHandle.current();
        Duration cpuBefore = self.info().totalCpuDuration().orElseThrow();

        ProcessInfo p = processes.process((int) self.pid()).orElseThrow();

        Duration cpuAfter = self.info().totalCpuDuration().orElseThrow();
        assertEquals(self.pid(), p.pid());
        assertEquals(self.parent().orElseThrow().pid(), p.ppid());
        assertEquals(Posix.euid(), p.uid());
        assertEquals(Posix.userName(Posix.euid()), p.user());
        String arguments = String.join(" ", self.info().arguments().orElseThrow());
        assertTrue(p.commandLine().endsWith(" " + arguments), p.commandLine());
        Instant jdkStart = self.info().startInstant().orElseThrow();
        assertTrue(Duration.between(jdkStart, p.startTime()).abs().toMillis() <= 1000,
                "start " + p.startTime() + " vs JDK " + jdkStart);
        assertTrue(p.cpuTime().compareTo(cpuBefore.minusMillis(10)) >= 0 && p.cpuTime().compareTo(cpuAfter) <= 0,
                "cpu " + p.cpuTime() + " between " + cpuBefore + " and " + cpuAfter);
        long vmRss = vmRssBytes();
        assertTrue(Math.abs(p.rssBytes() - vmRss) < vmRss / 10, "rss " + p.rssBytes() + " vs VmRSS " + vmRss);
        // The thread group leader is the launcher's primordial thread, which waits for main() to end.
        assertTrue("RSD".indexOf(p.state()) >= 0, "state " + p.state());
    }

    @Test
    void theNameIsTheKernelsAScriptRunByItsShebangIsNamedAfterTheScript() throws Exception {
        // How an IOC's st.cmd runs: the kernel names the process after the file executed (st.cmd),
        // argv[0] is the interpreter. lsof, and so epics-ioc-runner's inspect, shows the former.
        Path script = Files.writeString(tmp.resolve("st.cmd"), "#!/bin/sh\nsleep 30\necho done\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Process ioc = new ProcessBuilder(script.toString()).start();
        try {
            TestBed.await(Duration.ofSeconds(10), "the script to be exec'd", () -> {
                try {
                    return processes.process((int) ioc.pid()).map(p -> p.name().equals("st.cmd")).orElse(false);
                } catch (IOException e) {
                    return false;
                }
            });
            ProcessInfo p = processes.process((int) ioc.pid()).orElseThrow();
            assertEquals("st.cmd", p.name());
            assertTrue(p.commandLine().startsWith("/bin/sh "), p.commandLine());
        } finally {
            ioc.destroyForcibly();
            ioc.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void childIsReportedWhileItRunsAndGoneOnceReaped() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            ProcessInfo p = processes.process((int) sleep.pid()).orElseThrow();
            assertEquals(ProcessHandle.current().pid(), p.ppid());
            assertTrue(p.commandLine().equals("sleep 30") || p.commandLine().startsWith("["),
                    "an exec'd child shows its arguments (or, before exec, the JDK helper): " + p.commandLine());
        } finally {
            sleep.destroyForcibly();
            sleep.waitFor(5, TimeUnit.SECONDS);
        }
        assertEquals(Optional.empty(), processes.process((int) sleep.pid()));
    }

    @Test
    void socketHoldersFindThisJvmHoldingItsListener() throws Exception {
        Path path = tmp.resolve("held");
        try (ConsoleSocketFixture console = ConsoleSocketFixture.listen(path, 1)) {
            long inode = new UnixSocketDiag().dump().stream()
                    .filter(s -> s.path().equals(Optional.of(path.toString()))).mapToLong(UnixSocket::inode)
                    .findFirst().orElseThrow();
            int self = (int) ProcessHandle.current().pid();

            SocketHolders all = processes.socketHolders();
            SocketHolders chosen = processes.socketHolders(Set.of(inode));

            assertEquals(List.of(self), all.pids(inode));
            assertEquals(List.of(self), chosen.pids(inode));
            assertEquals(1, chosen.pidsByInode().size());
            assertTrue(all.inspected() > 1);
        }
    }

    @Test
    void ownControlGroupListsThisJvm() throws Exception {
        String group = ownControlGroup();

        List<Integer> pids = processes.cgroupPids(group);

        assertTrue(pids.contains((int) ProcessHandle.current().pid()), group + " holds " + pids);
    }

    @Test
    void unprivilegedScanCountsOtherUsersProcessesButNotKernelThreads() throws Exception {
        Assumptions.assumeTrue(Posix.euid() == 0 && Files.isExecutable(SETPRIV),
                "needs root and setpriv to run a scan as nobody");
        Path classpath = readableClasspath();
        Path jnaTmp = Files.createDirectories(tmp.resolve("jna"));
        Files.setPosixFilePermissions(jnaTmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        int othersBefore = otherUsersProcesses();

        Process probe = new ProcessBuilder(SETPRIV.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-Djna.tmpdir=" + jnaTmp, "-cp",
                classpath.resolve("classes") + ":" + classpath.resolve("test-classes") + ":"
                        + classpath.resolve("jna.jar"),
                UnprivilegedScanProbe.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(probe.waitFor(30, TimeUnit.SECONDS));
        int othersAfter = otherUsersProcesses();

        assertEquals(0, probe.exitValue(), output);
        Matcher m = Pattern.compile("inspected=(\\d+) uninspected=(\\d+) seesOwn=(\\w+) pids=([\\d,]*)")
                .matcher(output);
        assertTrue(m.find(), output);
        int uninspected = Integer.parseInt(m.group(2));
        assertTrue(uninspected >= 1, "this root JVM at least is out of reach: " + output);
        assertTrue(uninspected <= Math.max(othersBefore, othersAfter) + 3,
                "kernel threads (" + kernelThreads() + ") must not be counted: " + output + ", other users' "
                        + "processes " + othersBefore + "/" + othersAfter);
        assertEquals("true", m.group(3), "an unprivileged user reads its own descriptors: " + output);
        assertFalse(Arrays.asList(m.group(4).split(",")).contains(Long.toString(ProcessHandle.current().pid())),
                "no root-owned holder may be reported: " + output);
    }

    /** Class directories and the JNA jar copied where user nobody may read them (~/.m2 may be private). */
    private Path readableClasspath() throws IOException, URISyntaxException {
        Path root = Files.createDirectories(tmp.resolve("cp"));
        Path main = Path.of(ProcessTable.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path test = Path.of(ProcessTableIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jna = Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        copyTree(main, root.resolve("classes"));
        copyTree(test, root.resolve("test-classes"));
        Files.copy(jna, root.resolve("jna.jar"));
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x"
                        : "rw-r--r--"));
            }
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        return root;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    /** Processes other than kernel threads whose effective user is not nobody. */
    private static int otherUsersProcesses() throws IOException {
        int n = 0;
        for (Path dir : procDirs()) {
            try {
                String status = Files.readString(dir.resolve("status"));
                ProcStat stat = ProcStat.parse(Files.readString(dir.resolve("stat")));
                if (!stat.isKernelThread() && ProcessTable.effectiveUid(status) != NOBODY) {
                    n++;
                }
            } catch (IOException e) {
                // exited meanwhile
            }
        }
        return n;
    }

    private static int kernelThreads() throws IOException {
        int n = 0;
        for (Path dir : procDirs()) {
            try {
                n += ProcStat.parse(Files.readString(dir.resolve("stat"))).isKernelThread() ? 1 : 0;
            } catch (IOException e) {
                // exited meanwhile
            }
        }
        return n;
    }

    private static List<Path> procDirs() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.filter(p -> p.getFileName().toString().matches("\\d+")).toList();
        }
    }

    /** The unified ("0::") group of this process, or the named systemd v1 group. */
    private static String ownControlGroup() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/cgroup"));
        return lines.stream().filter(l -> l.startsWith("0::")).map(l -> l.substring(3)).findFirst()
                .or(() -> lines.stream().filter(l -> l.contains(":name=systemd:"))
                        .map(l -> l.substring(l.indexOf(":name=systemd:") + 14)).findFirst())
                .orElseThrow();
    }

    private static long vmRssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS");
    }
}
