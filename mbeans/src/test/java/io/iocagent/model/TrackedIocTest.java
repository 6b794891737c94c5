package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tracked IOC fed by its procServ log in a temporary directory and hand-made unit states:
 * which log reads report a child change, which unit states are new enough, an unreadable log, and
 * the facts its snapshot gives for a running, a stopped and an unknown unit.
 */
class TrackedIocTest {

    private static final IocName A = new IocName("a");
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final String CHILD = "@@@ The PID of new child \"./st.cmd\" is: 101\n";

    @TempDir
    Path root;

    private Layout layout;
    private TrackedIoc ioc;

    @BeforeEach
    void setUp() throws IOException {
        layout = new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", new Identity("u", "g"));
        Files.createDirectories(layout.logDir());
        ioc = new TrackedIoc(A, layout, pid -> pid == 101 ? 100 : -1);
    }

    private void log(String text) throws IOException {
        Files.writeString(layout.logFile(A), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static UnitState state(String active, int pid) {
        return new UnitState(UnitName.of("epics-@", "a"), "loaded", active, active.equals("active") ? "running" : "dead",
                "success", pid, 3, Optional.empty(), active.equals("active") ? Optional.of(NOW.minusSeconds(60)) : Optional.empty(),
                "/user.slice/epics-@a.service", OptionalLong.empty(), OptionalLong.empty(), "", List.of(), "enabled");
    }

    @Test
    void onlyLiveChildLinesReportAChange() throws Exception {
        log(CHILD + "iocRun: All initialization complete\n");
        assertFalse(ioc.readLog(NOW), "the backlog is learnt, not reported");
        log("ERROR: something\n");
        assertFalse(ioc.readLog(NOW), "an error line changes no child");
        log("@@@ Received a sigChild for process 101. Normal exit status = 1\n");
        assertTrue(ioc.readLog(NOW), "an exit");
        log("@@@ Child process is shutting down, a new one will be restarted shortly\n");
        assertTrue(ioc.readLog(NOW), "a death");
        log("@@@ The PID of new child \"./st.cmd\" is: 102\n");
        assertTrue(ioc.readLog(NOW), "a start");
        assertFalse(ioc.readLog(NOW), "nothing new");
    }

    @Test
    void aStateIsAcceptedOnlyWhenNewerThanTheHeldOneAndTheLastChildLine() throws Exception {
        assertTrue(ioc.accepts(5), "nothing known yet");
        ioc.unit(state("active", 100), NOW, 1000);
        assertFalse(ioc.accepts(1000), "as old as the held state");
        assertFalse(ioc.accepts(999));
        assertTrue(ioc.accepts(1001));

        long before = System.nanoTime();
        log(CHILD);
        ioc.readLog(NOW);
        assertFalse(ioc.accepts(before), "asked for before the log read that found a child line");
        assertTrue(ioc.accepts(System.nanoTime()));
    }

    @Test
    void anUnreadableLogMakesReadinessUnknownAndSaysWhyUntilItIsReadableAgain() throws Exception {
        Files.createDirectory(layout.logFile(A));
        ioc.unit(state("active", 100), NOW, System.nanoTime());
        assertFalse(ioc.readLog(NOW));
        IocSnapshot s = ioc.snapshot(true, NOW);
        assertEquals(Readiness.UNKNOWN, s.readiness());
        assertFalse(s.lastError().isEmpty(), "the problem is the last error: " + s);

        Files.delete(layout.logFile(A));
        log(CHILD + "iocRun: All initialization complete\n");
        ioc.readLog(NOW);
        IocSnapshot again = ioc.snapshot(true, NOW);
        assertEquals("", again.lastError());
        assertEquals(Readiness.READY, again.readiness());
    }

    @Test
    void aRunningUnitsSnapshotCarriesItsProcessesAndAStoppedOneNone() throws Exception {
        log(CHILD + "iocRun: All initialization complete\n");
        ioc.readLog(NOW);
        ioc.unit(state("active", 100), NOW, System.nanoTime());
        ioc.endpoints(new IocEndpoints(5064, 5064, -1, List.of(), List.of()));
        IocSnapshot up = ioc.snapshot(true, NOW);
        assertEquals("active", up.activeState());
        assertEquals(100, up.mainPid());
        assertEquals(101, up.childPid());
        assertEquals(3, up.serviceRestarts());
        assertEquals(NOW.minusSeconds(60), up.startedAt());
        assertEquals(5064, up.endpoints().caServerPort());
        assertTrue(up.enabled());

        ioc.unit(state("inactive", 0), NOW, System.nanoTime());
        IocSnapshot down = ioc.snapshot(true, NOW);
        assertEquals(-1, down.mainPid());
        assertEquals(-1, down.childPid());
        assertNull(down.startedAt());
        assertEquals(IocEndpoints.NONE, down.endpoints(), "a stopped IOC serves nothing");
    }

    @Test
    void withoutSystemdOrAUnitTheStateIsUnknown() {
        IocSnapshot none = ioc.snapshot(true, NOW);
        assertEquals("unknown", none.activeState());
        assertEquals(-1, none.serviceRestarts());
        assertEquals(-1, none.mainPid());
        assertFalse(none.enabled());
        assertEquals(Readiness.UNKNOWN, none.readiness());

        ioc.unit(state("active", 100), NOW, System.nanoTime());
        IocSnapshot cut = ioc.snapshot(false, NOW);
        assertEquals("unknown", cut.activeState(), "systemd unreachable: the held state may be stale");
        assertEquals("", cut.subState());
        assertEquals(Readiness.UNKNOWN, cut.readiness());
    }

    @Test
    void aReadyChildThatStoppedAnsweringIsHungButAFindingAboutAnotherChildIsIgnored() throws Exception {
        log(CHILD + "iocRun: All initialization complete\n");
        ioc.readLog(NOW);
        ioc.unit(state("active", 100), NOW, System.nanoTime());
        ioc.probed(new Responsiveness(Responsiveness.State.UNRESPONSIVE, 99, 2.0));
        assertEquals(Readiness.READY, ioc.snapshot(true, NOW).readiness(), "the finding is about child 99");
        assertEquals(Responsiveness.UNPROBED, ioc.snapshot(true, NOW).responsiveness());
        ioc.probed(new Responsiveness(Responsiveness.State.UNRESPONSIVE, 101, 2.0));
        IocSnapshot hung = ioc.snapshot(true, NOW);
        assertEquals(Readiness.HUNG, hung.readiness());
        assertEquals(101, hung.responsiveness().childPid());
        ioc.probed(new Responsiveness(Responsiveness.State.RESPONSIVE, 101, 0.1));
        assertEquals(Readiness.READY, ioc.snapshot(true, NOW).readiness());
    }

    @Test
    void aLogReadWithoutAChildLineLeavesAStateAskedBeforeItNewEnough() throws Exception {
        ioc.unit(state("active", 100), NOW, 1000);
        long before = System.nanoTime();
        log("ERROR: something\n");
        ioc.readLog(NOW);
        log("iocRun: All initialization complete\n");
        ioc.readLog(NOW);
        assertTrue(ioc.accepts(before), "IOC a: lines that start or end no child make no state stale");
    }

    @Test
    void aLogThatIsNoRegularFileIsReportedOnceWorded() throws Exception {
        Files.createDirectory(layout.logFile(A));
        ioc.unit(state("active", 100), NOW, System.nanoTime());
        ioc.readLog(NOW);
        assertEquals("log not readable: " + layout.logFile(A) + " is not a regular file",
                ioc.snapshot(true, NOW).lastError(), "IOC a: the last error says why the log cannot be read, once worded");
    }
}
