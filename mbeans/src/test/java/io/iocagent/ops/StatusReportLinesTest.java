package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.procserv.LogFile;
import io.iocagent.systemd.FakeManager;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.testbed.ScriptTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status NAME}: every line of the report, the exit status, and the log tail it reads. */
class StatusReportLinesTest {

    private static final String PREFIX = "epics-@";
    private static final IocName A = new IocName("a");
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path root;

    private Layout layout;
    private final FakeManager manager = new FakeManager(PREFIX);
    private final List<String> out = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        layout = new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), PREFIX, new Identity(USER, "g"));
        Files.createDirectories(layout.confDir());
        Files.createDirectories(layout.logDir());
    }

    private int status() throws OperationException {
        Session session = Session.withManager(layout, new Account(USER, "g", 1000, root, true), Map.of(),
                ScriptTerminal.into(out), false, manager, manager);
        return new StatusReport(session).show(A);
    }

    private String line(String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElse("(no " + prefix + " line in " + out + ")");
    }

    private void activeSince(Duration ago, int restarts) {
        UnitName unit = manager.unit("a");
        manager.put(new UnitState(unit, "loaded", "active", "running", "success", 4242, restarts, Optional.empty(),
                Optional.of(Instant.now().minus(ago)), "", OptionalLong.empty(), OptionalLong.empty(), "", List.of(),
                "enabled"));
    }

    @Test
    void anActiveIocExitsZeroAndSaysSinceWhen() throws Exception {
        activeSince(Duration.ofDays(3).plusHours(2).plusMinutes(1), 2);
        assertEquals(0, status());
        assertEquals("IOC:       a (local mode)", line("IOC:"));
        assertTrue(line("State:").startsWith("State:     active (running) since "), line("State:"));
        assertTrue(line("State:").endsWith("; 3d 2h ago"), line("State:"));
        assertEquals("Restarts:  2 (by systemd)", line("Restarts:"));
        assertEquals("Conf:      " + layout.confFile(A) + " (not installed)", line("Conf:"));
        assertEquals("Log:       " + layout.logFile(A), line("Log:"));
    }

    @Test
    void theAgeIsWrittenInTheLargestUnitsThatFit() throws Exception {
        activeSince(Duration.ofHours(2).plusMinutes(5), 0);
        status();
        assertTrue(line("State:").endsWith("; 2h 5min ago"), line("State:"));
        out.clear();
        activeSince(Duration.ofMinutes(7).plusSeconds(3), 0);
        status();
        assertTrue(line("State:").matches(".*; 7min [3-9]s ago"), line("State:"));
        out.clear();
        activeSince(Duration.ofSeconds(5), 0);
        status();
        assertTrue(line("State:").matches(".*; [5-9]s ago|.*; [1-5][0-9]s ago"), line("State:"));
        out.clear();
        activeSince(Duration.ofSeconds(-30), 0); // a clock step: activated "in the future"
        status();
        assertTrue(line("State:").endsWith("; 0s ago"), line("State:"));
    }

    @Test
    void anInactiveIocExitsThreeWithoutSinceOrPid() throws Exception {
        manager.held("a", "inactive", "dead");
        assertEquals(StatusReport.NOT_ACTIVE, status());
        assertEquals("State:     inactive (dead)", line("State:"));
        assertEquals("Main PID:  -", line("Main PID:"));
        assertEquals("Unit:      epics-@a.service (loaded; disabled)", line("Unit:"));
    }

    @Test
    void aUnitWithoutUnitFileStateShowsADash() throws Exception {
        status(); // never loaded: not-found, no unit file state
        assertEquals("Unit:      epics-@a.service (not-found; -)", line("Unit:"));
        assertEquals(3, status());
    }

    @Test
    void withoutALogFileTheReportSaysSo() throws Exception {
        manager.held("a", "inactive", "dead");
        status();
        assertEquals(List.of("(no log file yet at " + layout.logFile(A) + ")"), out.subList(out.size() - 1, out.size()));
    }

    @Test
    void anEmptyLogIsNamedAsEmpty() throws Exception {
        Files.writeString(layout.logFile(A), "");
        status();
        assertEquals("(" + layout.logFile(A) + " is empty so far)", out.get(out.size() - 1));
    }

    @Test
    void theLastTenLinesOfTheLogFollowTheStateWithoutCarriageReturns() throws Exception {
        Files.writeString(layout.logFile(A), IntStream.rangeClosed(1, 15).mapToObj(i -> "line " + i + "\r\n")
                .collect(Collectors.joining()));
        status();
        int header = out.indexOf("Last 10 lines of " + layout.logFile(A) + ":");
        assertTrue(header > 0, out.toString());
        assertEquals(IntStream.rangeClosed(6, 15).mapToObj(i -> "line " + i).toList(), out.subList(header + 1, out.size()));
    }

    @Test
    void aLogThatIsALinkIsNotRead() throws Exception {
        Path secret = Files.writeString(root.resolve("secret"), "password=1\n");
        Files.createSymbolicLink(layout.logFile(A), secret);
        status();
        String last = out.get(out.size() - 1);
        assertTrue(last.startsWith("(log not readable: ") && last.contains("symbolic link"), last);
        assertTrue(out.stream().noneMatch(l -> l.contains("password")), "the link's target must never be shown: " + out);
    }

    @Test
    void theTailReadsOnlyTheEndAndDropsThePartialFirstLine() throws Exception {
        String longLine = "x".repeat(70 * 1024);
        Path log = Files.writeString(layout.logFile(A), longLine + "\nsecond\nthird\n");
        assertEquals(List.of("second", "third"), StatusReport.tail(LogFile.ownedBy(log, USER), 10),
                "the window's first line is cut, so it is dropped");
        assertEquals(List.of("third"), StatusReport.tail(LogFile.ownedBy(log, USER), 1));
        Files.writeString(log, "no newline at the end");
        assertEquals(List.of("no newline at the end"), StatusReport.tail(LogFile.ownedBy(log, USER), 10));
    }

    @Test
    void theWholeReportOfAnInactiveIocWithoutALog() throws Exception {
        manager.held("a", "inactive", "dead");
        status();
        assertEquals(List.of("IOC:       a (local mode)", "Unit:      epics-@a.service (loaded; disabled)",
                "State:     inactive (dead)", "Main PID:  -", "Restarts:  0 (by systemd)",
                "Conf:      " + layout.confFile(A) + " (not installed)", "Socket:    " + layout.socketPath(A) + " (absent)",
                "Log:       " + layout.logFile(A), "", "(no log file yet at " + layout.logFile(A) + ")"), out);
    }

    @Test
    void theLastExitAndTheTailFollowTheLogLineOfAnInstalledIoc() throws Exception {
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\n");
        Files.createDirectories(layout.socketDir(A));
        Files.writeString(layout.socketPath(A), "");
        Files.writeString(layout.logFile(A), "@@@ Received a sigChild for process 4711. Normal exit status = 3\nbye\n");
        activeSince(Duration.ofMinutes(1), 0);
        status();
        assertEquals(List.of("Main PID:  4242", "Restarts:  0 (by systemd)", "Conf:      " + layout.confFile(A),
                "Socket:    " + layout.socketPath(A), "Log:       " + layout.logFile(A),
                "Last exit: child 4711 exited with status 3", "", "Last 2 lines of " + layout.logFile(A) + ":",
                "@@@ Received a sigChild for process 4711. Normal exit status = 3", "bye"), out.subList(3, out.size()));

        out.clear();
        Files.writeString(layout.logFile(A), "no exits here\n");
        status();
        assertEquals("Last exit: -", line("Last exit:"));
    }

    @Test
    void anUnreadableLogIsNamedAfterAnEmptyLine() throws Exception {
        Path secret = Files.writeString(root.resolve("secret"), "x\n");
        Files.createSymbolicLink(layout.logFile(A), secret);
        status();
        assertEquals("", out.get(out.size() - 2));
        assertEquals("Log:       " + layout.logFile(A), out.get(out.size() - 3));
    }
}
