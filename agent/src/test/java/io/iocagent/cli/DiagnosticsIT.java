package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** list and inspect on real IOCs: a running one with a console client, and a stopped one. */
class DiagnosticsIT {

    private static TestBed bed;
    private static String running;
    private static String stopped;
    private static Process client;

    @BeforeAll
    static void twoIocsOneRunningWithAClient() throws Exception {
        bed = TestBed.open();
        running = bed.iocName("b-running");
        stopped = bed.iocName("a-stopped");
        for (String name : List.of(running, stopped)) {
            Path dir = bed.iocBoot(name, Behaviour.HEALTHY);
            assertEquals(0, CliRun.of(bed.env(), "--local", "generate", dir.toString()).exit());
            assertEquals(0, CliRun.of(bed.env(), "--local", "install", dir.toString()).exit());
        }
        assertEquals(0, CliRun.of(bed.env(), "--local", "start", running).exit());
        Path socket = bed.runDir().resolve(running).resolve("control");
        client = new ProcessBuilder("socat", "-u", "UNIX-CONNECT:" + socket, "OPEN:/dev/null")
                .redirectErrorStream(true).start();
        TestBed.await(Duration.ofSeconds(5), "socat to connect",
                () -> CliRun.of(bed.env(), "--local", "list", "--json").out().contains("\"pid\":" + client.pid()));
    }

    @AfterAll
    static void cleanUp() {
        if (client != null) {
            client.destroyForcibly();
        }
        if (bed != null) {
            bed.close();
        }
    }

    private static String row(String out, String name) {
        return out.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElse("(no row for " + name + ")\n" + out);
    }

    @Test
    void listShowsEveryInstalledIocSortedWithStoppedOnesInactive() {
        CliRun r = CliRun.of(bed.env(), "--local", "list");
        assertEquals(0, r.exit(), r.transcript());
        List<String> lines = r.out().lines().toList();
        assertEquals("IOC NAME             | STATUS   | STARTED           | UDS PATH", lines.get(0));
        assertTrue(lines.indexOf(row(r.out(), stopped)) < lines.indexOf(row(r.out(), running)), "sorted by name: " + r.out());
        assertTrue(row(r.out(), stopped).matches(".*\\| inactive +\\| - +\\| " + bed.runDir().resolve(stopped) + "/control"),
                row(r.out(), stopped));
        assertTrue(row(r.out(), running).contains("| active   | "), row(r.out(), running));
    }

    @Test
    void verboseListsFillPidCpuMemoryAndKernelSocketFacts() {
        CliRun v = CliRun.of(bed.env(), "--local", "list", "-v");
        String[] cols = row(v.out(), running).split("\\|");
        assertTrue(cols[3].trim().matches("[0-9]+"), "PID: " + v.out());
        assertTrue(cols[4].trim().matches("[0-9]+\\.[0-9]s"), "CPU filled even without systemd accounting: " + v.out());
        assertTrue(cols[5].trim().matches("[0-9]+\\.[0-9]M"), "MEM filled: " + v.out());

        CliRun vv = CliRun.of(bed.env(), "--local", "list", "-vv");
        String line = row(vv.out(), running);
        assertTrue(line.contains("| LISTEN    |"), line);
        assertTrue(line.contains("| srw-rw---- |"), line);
        assertTrue(row(vv.out(), stopped).contains("| UNKNOWN   |"), vv.out());
    }

    @Test
    void jsonListsTheConsoleClient() {
        CliRun r = CliRun.of(bed.env(), "--local", "list", "--json");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("\"consoleClients\":[{\"pid\":" + client.pid() + ","), r.out());
        assertTrue(r.out().contains("\"name\":\"" + stopped + "\",\"installed\":true,\"status\":\"inactive\""), r.out());
    }

    @Test
    void inspectNamesTheConnectedClientsPidAndTheServers() {
        CliRun r = CliRun.of(bed.env(), "--local", "inspect", running);
        assertEquals(0, r.exit(), r.transcript());
        String clients = r.out().substring(r.out().indexOf("3. Client Process Context"));
        assertTrue(clients.contains(" " + client.pid() + " "), r.out());
        assertTrue(clients.contains("socat"), r.out());
        String servers = r.out().substring(r.out().indexOf("2. Server Process Context"), r.out().indexOf("3. Client"));
        assertTrue(servers.contains("procServ"), r.out());
        assertTrue(r.out().contains("(LISTEN)"), r.out());
        // The COMMAND column is lsof's, as epics-ioc-runner shows it: the kernel's name of each
        // process (/proc/PID/comm; st.cmd for a real IOC started by its shebang), not argv[0].
        String fds = r.out().substring(r.out().indexOf("1. UNIX Domain Socket FDs"), r.out().indexOf("2. Server"));
        List<String> rows = fds.lines().filter(l -> l.matches("\\S+ +[0-9]+ .*")).toList();
        assertTrue(rows.size() >= 2, fds);
        for (String row : rows) {
            String[] f = row.split(" +");
            try {
                assertEquals(Files.readString(Path.of("/proc", f[1], "comm")).strip(), f[0], row);
            } catch (java.io.IOException e) {
                throw new AssertionError("process " + f[1] + " of row '" + row + "' is gone", e);
            }
        }
    }
}
