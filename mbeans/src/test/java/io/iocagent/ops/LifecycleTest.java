package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.systemd.FakeManager;
import io.iocagent.systemd.JobResult;
import io.iocagent.systemd.SystemdException;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.testbed.RecordingTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code start}, {@code stop}, {@code restart}, {@code enable}, {@code disable} against a manager
 * answered by a table: what each verb asks systemd in which order, the verdict it gives from the
 * procServ log the (fake) job writes, and its refusals and warnings.
 */
class LifecycleTest extends OnLocalHost {

    private static final IocName A = new IocName("a");
    /** The verdict's own seams: no dwell, a fast poll, a short wait for the marker. */
    private static final Map<String, String> FAST = Map.of("IOC_RUNNER_TEST_CONFIRM_DWELL", "0",
            "IOC_RUNNER_TEST_POLL_INTERVAL", "0.01", "IOC_RUNNER_TEST_MAX_INIT_TIMEOUT", "1");

    LifecycleTest() {
        super(System.getProperty("user.name"));
    }

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(layout.logDir());
    }

    private Lifecycle lifecycle() {
        return new Lifecycle(session(FAST));
    }

    private void install(String extra) throws IOException {
        install(A, extra);
    }

    private void log(String... lines) {
        ProcServLogs.append(layout.logFile(A), lines);
    }

    /** A job that does what the default does and makes procServ log {@code lines} (a new child first). */
    private FakeManager.Job writing(String... lines) {
        return (m, operation, unit) -> {
            JobResult result = defaultResult(m, operation, unit);
            List<String> all = new ArrayList<>(List.of("@@@ The PID of new child \"./st.cmd\" is: 4711"));
            all.addAll(List.of(lines));
            log(all.toArray(String[]::new));
            return result;
        };
    }

    private static JobResult defaultResult(FakeManager m, String operation, UnitName unit) {
        m.put(FakeManager.state(unit, "active", "running", 4700, "disabled"));
        return new JobResult(unit, operation, "done");
    }

    @Test
    void startReloadsTheUserManagerRunsTheJobAndReportsAStartedIoc() throws Exception {
        install("");
        manager.held("a", "inactive", "dead").jobs(writing("iocRun: All initialization complete"));

        UnitState after = lifecycle().start(A);

        assertEquals("active", after.activeState());
        assertEquals(List.of("reload", "states", "start", "states"), manager.asked(),
                "local mode reloads first (homes on NFS give the manager no inotify), reads the state, starts, reads it again");
        assertEquals(List.of("IOC 'a' successfully started."), out);
        assertEquals(List.of(), err);
    }

    @Test
    void aFatalLineBeforeTheMarkerFailsTheStart() throws Exception {
        install("");
        manager.held("a", "inactive", "dead").jobs(writing("FATAL: cannot load dbd"));

        OperationException e = assertThrows(OperationException.class, () -> lifecycle().start(A));

        assertEquals("IOC 'a' failed to initialize (fatal error before iocInit).", e.getMessage());
        assertTrue(e.reported(), "the verdict is already on the terminal");
        assertTrue(err.contains("Error: IOC 'a' failed to initialize (fatal error before iocInit)."), err.toString());
        assertTrue(err.contains("  -> Check logs: tail -f " + layout.logFile(A)), err.toString());
    }

    @Test
    void errorsAfterTheMarkerStartWithAWarning() throws Exception {
        install("");
        manager.held("a", "inactive", "dead").jobs(writing("iocRun: All initialization complete",
                "ERROR: device offline"));

        lifecycle().start(A);

        assertTrue(err.contains("Warning: IOC 'a' is active but reported errors after initialization (check device connections)."),
                err.toString());
        assertFalse(out.contains("IOC 'a' successfully started."), out.toString());
    }

    @Test
    void noMarkerInTimeWithTheUnitActiveIsAWarningAndWithItInactiveAnError() throws Exception {
        install("");
        manager.held("a", "inactive", "dead").jobs(writing("still booting"));
        lifecycle().start(A);
        assertTrue(err.contains("Warning: IOC 'a' is active but did not report initialization complete within 1s."),
                err.toString());

        err.clear();
        manager.held("a", "inactive", "dead").jobs((m, op, unit) -> {
            m.put(FakeManager.state(unit, "failed", "failed", 0, "disabled"));
            return new JobResult(unit, op, "done");
        });
        OperationException e = assertThrows(OperationException.class, () -> lifecycle().start(A));
        assertEquals("IOC 'a' is not active (failed)", e.getMessage());
        assertTrue(err.contains("Error: IOC 'a' failed to start or crashed immediately (State: failed)."), err.toString());
    }

    @Test
    void aFailedJobSaysWhatSystemdReportedAndWhereToLook() throws Exception {
        install("");
        manager.held("a", "inactive", "dead").jobs((m, op, unit) -> {
            m.put(FakeManager.state(unit, "failed", "failed", 0, "disabled"));
            return new JobResult(unit, op, "failed");
        });

        OperationException e = assertThrows(OperationException.class, () -> lifecycle().start(A));

        assertEquals("systemd could not start epics-@a.service (job failed; State: failed/failed).", e.getMessage());
        assertEquals(List.of("  -> Check logs: tail -f " + layout.logFile(A),
                "  -> And systemd's view: ioc-runner --local status a"), e.details());
        assertFalse(e.reported());
    }

    @Test
    void startingARunningIocWithItsMarkerIntactSaysSoAndRunsNoVerdict() throws Exception {
        install("");
        log("@@@ The PID of new child \"./st.cmd\" is: 4711", "iocRun: All initialization complete");
        manager.running("a");

        lifecycle().start(A);

        assertEquals(List.of("IOC 'a' is already running."), out);
        assertEquals(List.of("reload", "states", "start", "states", "states"), manager.asked(),
                "the state is read again to confirm the unit still runs");
    }

    @Test
    void restartOfARunningIocAllowsTheBannerOfItsOwnStop() throws Exception {
        install("");
        manager.running("a").jobs(writing("@@@ Child process is shutting down, a new one will be restarted shortly",
                "@@@ The PID of new child \"./st.cmd\" is: 4712", "iocRun: All initialization complete"));

        lifecycle().restart(A);

        assertEquals(List.of("reload", "states", "restart", "states"), manager.asked());
        assertEquals(List.of("IOC 'a' successfully started."), out,
                "the one death banner a restart writes is not a crash: " + err);
    }

    @Test
    void restartWarnsWhenTheConfChangedAfterTheUnitWasActivated() throws Exception {
        install("");
        Files.setLastModifiedTime(layout.confFile(A), FileTime.from(Instant.parse("2026-12-03T10:00:00Z")));
        UnitName unit = manager.unit("a");
        manager.put(new UnitState(unit, "loaded", "active", "running", "success", 10, 0, Optional.empty(),
                Optional.of(Instant.parse("2026-12-03T09:00:00Z")), "", OptionalLong.empty(), OptionalLong.empty(), "",
                List.of(), "enabled")).jobs(writing("iocRun: All initialization complete"));

        lifecycle().restart(A);

        assertTrue(err.contains("Warning: " + layout.confFile(A) + " changed after the running unit was activated; this"
                + " restart applies UNVALIDATED edits. Re-run 'install' to validate them."), err.toString());
    }

    @Test
    void startWarnsWhenTheInstalledSocketNoLongerMatchesTheRunDirectory() throws Exception {
        install("IOC_PORT=\"unix:u:g:0660:/old/run/a/control\"\n");
        manager.held("a", "inactive", "dead").jobs(writing("iocRun: All initialization complete"));

        lifecycle().start(A);

        assertTrue(err.contains("Warning: the installed IOC_PORT socket (/old/run/a/control) does not match the current"
                + " RUN_DIR resolution (" + layout.socketPath(A) + ")."), err.toString());
    }

    @Test
    void startWarnsWhenTheUserUnitLogsToAnotherDirectoryThanLogDir() throws Exception {
        install("");
        Files.createDirectories(layout.templateFile().getParent());
        Files.writeString(layout.templateFile(), "[Service]\nExecStart=/usr/bin/procServ --logfile=/old/logs/%i.log "
                + "--foreground\n");
        manager.held("a", "inactive", "dead").jobs(writing("iocRun: All initialization complete"));

        lifecycle().start(A);

        assertTrue(err.contains("Warning: LOG_DIR resolves to " + layout.logDir()
                + " but the installed user unit logs to /old/logs (baked at install)."), err.toString());
    }

    @Test
    void everyVerbRefusesAnIocThatIsNotInstalledBeforeAskingSystemd() {
        for (String verb : List.of("start", "stop", "restart", "enable", "disable")) {
            OperationException e = assertThrows(OperationException.class, () -> {
                switch (verb) {
                    case "start" -> lifecycle().start(A);
                    case "stop" -> lifecycle().stop(A);
                    case "restart" -> lifecycle().restart(A);
                    case "enable" -> lifecycle().enable(A);
                    default -> lifecycle().disable(A);
                }
            }, verb + " of an IOC that is not installed");
            assertTrue(e.getMessage().contains("'a'"), verb + ": " + e.getMessage());
        }
        assertEquals(List.of(), manager.asked(), "a typo must never reach systemd (it would instantiate the template)");
    }

    @Test
    void stopWaitsForTheJobAndReportsTheStateReached() throws Exception {
        install("");
        manager.running("a");

        UnitState after = lifecycle().stop(A);

        assertEquals("inactive", after.activeState());
        assertEquals(List.of("stop", "states"), manager.asked());
        assertEquals(List.of("IOC 'a' stopped (inactive)."), out);
    }

    @Test
    void aStopJobThatDidNotCompleteIsAnError() throws Exception {
        install("");
        manager.running("a").jobs((m, op, unit) -> new JobResult(unit, op, "timeout"));

        OperationException e = assertThrows(OperationException.class, () -> lifecycle().stop(A));

        assertEquals("Stopping IOC 'a' did not complete (systemd job timeout; State: active).", e.getMessage());
        assertEquals(List.of("  -> Check: ioc-runner --local status a"), e.details());
    }

    @Test
    void aRefusedCallCarriesSystemdsWordsAndHint() throws Exception {
        install("");
        manager.running("a").jobs((m, op, unit) -> {
            throw FakeManager.failure(SystemdException.Reason.PERMISSION_DENIED, "Not allowed to stop epics-@a.service.",
                    "Ask an administrator.");
        });

        OperationException e = assertThrows(OperationException.class, () -> lifecycle().stop(A));

        assertEquals("Not allowed to stop epics-@a.service.", e.getMessage());
        assertEquals(List.of("  -> Ask an administrator."), e.details());
    }

    @Test
    void enableAndDisablePrintSystemctlsLinesAndSayWhatWasDone() throws Exception {
        install("");
        manager.held("a", "inactive", "dead");

        List<String> created = lifecycle().enable(A);
        assertEquals(1, created.size(), created.toString());
        assertTrue(created.get(0).startsWith("Created symlink "), created.toString());
        assertEquals(created, err, "systemctl's lines go to stderr");
        assertEquals(List.of("IOC 'a' enabled."), out);

        out.clear();
        err.clear();
        List<String> removed = lifecycle().disable(A);
        assertTrue(removed.get(0).startsWith("Removed "), removed.toString());
        assertEquals(List.of("IOC 'a' disabled."), out);
        assertEquals(List.of("enable", "disable"), manager.asked());
    }

    // ---- what the progress line says, and the drift warnings' advice ----

    /** A lifecycle whose terminal's progress line records each wait in {@code t.waits}. */
    private Lifecycle lifecycleShowing(RecordingTerminal t) {
        return new Lifecycle(session(FAST, t));
    }

    @Test
    void theProgressLineNamesEachWaitOfAStartAndAStop() throws Exception {
        install("");
        manager.held("a", "inactive", "dead").jobs(writing("iocRun: All initialization complete"));
        RecordingTerminal t = RecordingTerminal.typing();
        List<String> waits = t.waits;

        UnitState started = lifecycleShowing(t).start(A);

        assertEquals("active", started.activeState());
        assertEquals(List.of("reloading the user manager", "systemd's start job for epics-@a.service",
                "'All initialization complete' in " + layout.logFile(A), "initialized; watching for a crash", "(closed)"), waits);

        waits.clear();
        lifecycleShowing(t).stop(A);
        assertEquals(List.of("systemd's stop job for epics-@a.service", "(closed)"), waits);

        waits.clear();
        manager.jobs(writing("iocRun: All initialization complete"));
        UnitState restarted = lifecycleShowing(t).restart(A);
        assertEquals("active", restarted.activeState(), "restart returns the state reached");
        assertEquals("systemd's restart job for epics-@a.service", waits.get(1));
    }

    @Test
    void theDriftWarningsSayWhatToDo() throws Exception {
        install("IOC_PORT=\"unix:u:g:0660:/old/run/a/control\"\n");
        Files.createDirectories(layout.templateFile().getParent());
        Files.writeString(layout.templateFile(), "[Service]\nExecStart=/usr/bin/procServ --logfile=/old/logs/%i.log --foreground\n");
        manager.held("a", "inactive", "dead").jobs(writing("iocRun: All initialization complete"));

        lifecycle().start(A);

        assertEquals(List.of("Warning: LOG_DIR resolves to " + layout.logDir()
                        + " but the installed user unit logs to /old/logs (baked at install).",
                "         The startup poll would watch the wrong file; export the install-time value or re-run install.",
                "Warning: the installed IOC_PORT socket (/old/run/a/control) does not match the current RUN_DIR resolution ("
                        + layout.socketPath(A) + ").",
                "         Export the install-time IOC_RUNNER_RUN_DIR, or re-run install."), err);
    }

    @Test
    void theStandardSocketAndTheBakedLogDirectoryGiveNoWarning() throws Exception {
        install("IOC_PORT=\"\"\n");
        Files.createDirectories(layout.templateFile().getParent());
        Files.writeString(layout.templateFile(), "[Service]\nExecStart=/usr/bin/procServ --logfile=" + layout.logDir()
                + "/%i.log --foreground\n");
        manager.held("a", "inactive", "dead").jobs(writing("iocRun: All initialization complete"));
        lifecycle().start(A);
        assertEquals(List.of(), err);
    }
}
