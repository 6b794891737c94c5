package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.procserv.LogPosition;
import io.iocagent.systemd.FakeManager;
import io.iocagent.testbed.ScriptTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start verdict read from a procServ log in a temporary directory (systemd answered by a
 * table): every outcome of the seed's table, the return value the MBeans report, what the
 * progress line says it waits for, and the fast path for an IOC already running.
 */
class StartupCheckTest {

    private static final IocName A = new IocName("a");
    private static final String CHILD = "@@@ The PID of new child \"./st.cmd\" is: 4711";
    private static final String MARKER = "iocRun: All initialization complete";
    private static final String BANNER = "@@@ Child process is shutting down, a new one will be restarted shortly";

    @TempDir
    Path root;

    private Layout layout;
    private final FakeManager manager = new FakeManager("epics-@");
    private final Map<String, String> env = new HashMap<>(Map.of("IOC_RUNNER_TEST_CONFIRM_DWELL", "0",
            "IOC_RUNNER_TEST_POLL_INTERVAL", "0.01", "IOC_RUNNER_TEST_MAX_INIT_TIMEOUT", "1"));
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private final List<String> waits = new ArrayList<>();
    private final Progress progress = new Progress() {
        @Override
        public void waitingFor(String what, Duration limit) {
            waits.add(what + " / " + limit.toMillis() + " ms");
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() throws IOException {
        layout = new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", new Identity("u", "g"));
        Files.createDirectories(layout.logDir());
        manager.running("a");
    }

    private StartupCheck check() {
        return new StartupCheck(Session.withManager(layout, new Account("u", "g", 1000, root, true), env,
                ScriptTerminal.of(out::add, err::add), false, manager, manager));
    }

    private void log(String... lines) {
        ProcServLogs.append(layout.logFile(A), lines);
    }

    private StartupCheck.Outcome judge(LogPosition from) throws OperationException {
        return check().judge(A, manager.unit("a"), from, Optional.empty(), 0, progress);
    }

    private String hint() {
        return "  -> Check logs: tail -f " + layout.logFile(A);
    }

    @Test
    void theMarkerAloneIsAStartAndTheProgressNamesEachWait() throws Exception {
        env.put("IOC_RUNNER_TEST_CONFIRM_DWELL", "1");
        log(CHILD, MARKER);
        assertEquals(StartupCheck.Outcome.STARTED, judge(LogPosition.MISSING));
        assertEquals(List.of("IOC 'a' successfully started."), out);
        assertEquals(List.of(), err);
        assertEquals(List.of("'All initialization complete' in " + layout.logFile(A) + " / 1000 ms",
                "initialized; watching for a crash / 1000 ms"), waits);
    }

    @Test
    void errorsAfterTheMarkerAreAWarningWithTheLogToRead() throws Exception {
        log(CHILD, MARKER, "ERROR: device offline");
        assertEquals(StartupCheck.Outcome.STARTED_WITH_ERRORS, judge(LogPosition.MISSING));
        assertEquals(List.of("", "Warning: IOC 'a' is active but reported errors after initialization (check device connections).",
                hint()), err);
        assertEquals(List.of(), out);
    }

    @Test
    void aDeathAfterTheMarkerIsACrashLoopDuringTheDwellOrAfterIt() throws Exception {
        log(CHILD, MARKER, BANNER);
        OperationException e = assertThrows(OperationException.class, () -> judge(LogPosition.MISSING));
        assertEquals("IOC 'a' is crash-looping.", e.getMessage());
        assertTrue(e.reported());
        assertEquals(List.of("", "Error: IOC 'a' is crash-looping.", hint()), err);

        err.clear();
        env.put("IOC_RUNNER_TEST_CONFIRM_DWELL", "1");
        assertThrows(OperationException.class, () -> judge(LogPosition.MISSING));
        assertEquals(List.of("", "Error: IOC 'a' is crash-looping.", hint()), err);
    }

    @Test
    void aFatalLineOrTwoDeathsBeforeTheMarkerFailTheStart() throws Exception {
        log(CHILD, "FATAL: cannot load dbd");
        OperationException fatal = assertThrows(OperationException.class, () -> judge(LogPosition.MISSING));
        assertEquals("IOC 'a' failed to initialize (fatal error before iocInit).", fatal.getMessage());
        assertEquals(List.of("", "Error: IOC 'a' failed to initialize (fatal error before iocInit).", hint()), err);

        Files.delete(layout.logFile(A));
        err.clear();
        log(CHILD, BANNER, CHILD, BANNER, CHILD);
        OperationException loop = assertThrows(OperationException.class, () -> judge(LogPosition.MISSING));
        assertEquals("IOC 'a' is crash-looping before reaching iocInit.", loop.getMessage());
        assertEquals(List.of("", "Error: IOC 'a' is crash-looping before reaching iocInit.", hint()), err);
    }

    @Test
    void aRestartMayWriteOneBannerOfItsOwnStop() throws Exception {
        log(BANNER, CHILD, MARKER);
        assertEquals(StartupCheck.Outcome.STARTED,
                check().judge(A, manager.unit("a"), LogPosition.MISSING, Optional.empty(), 1, progress));
    }

    @Test
    void noMarkerInTimeIsAWarningWhileTheUnitRunsAndAnErrorWhenItDoesNot() throws Exception {
        log(CHILD, "still booting");
        assertEquals(StartupCheck.Outcome.NOT_CONFIRMED, judge(LogPosition.MISSING));
        assertEquals(List.of("", "Warning: IOC 'a' is active but did not report initialization complete within 1s.", hint()), err);

        err.clear();
        manager.held("a", "failed", "failed");
        OperationException e = assertThrows(OperationException.class, () -> judge(LogPosition.MISSING));
        assertEquals("IOC 'a' is not active (failed)", e.getMessage());
        assertTrue(e.reported());
        assertEquals(List.of("", "Error: IOC 'a' failed to start or crashed immediately (State: failed).",
                "  -> Troubleshooting: Check the logs by running the following command:", hint()), err);
    }

    @Test
    void aLogThatCannotBeReadIsSaidSoWhenTheUnitRuns() throws Exception {
        Files.createDirectory(layout.logFile(A));
        assertEquals(StartupCheck.Outcome.LOG_UNREADABLE, judge(LogPosition.MISSING));
        assertEquals(List.of("", "Warning: IOC 'a' is active, but its startup log could not be read.", hint()), err);
    }

    @Test
    void theVerdictWaitsForAMarkerWrittenLater() throws Exception {
        env.put("IOC_RUNNER_TEST_MAX_INIT_TIMEOUT", "60");
        log(CHILD);
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            log(MARKER);
        });
        writer.start();
        try {
            assertEquals(StartupCheck.Outcome.STARTED, judge(LogPosition.MISSING));
        } finally {
            writer.join();
        }
    }

    @Test
    void linesBeforeTheBaselineDoNotCount() throws Exception {
        assertEquals(LogPosition.MISSING, check().baseline(A), "no log yet");
        log(CHILD, MARKER);
        LogPosition end = check().baseline(A);
        assertNotEquals(LogPosition.MISSING, end);
        log(CHILD, "still booting");
        assertEquals(StartupCheck.Outcome.NOT_CONFIRMED, judge(end), "the old marker is not this start's");
    }

    @Test
    void anInterruptedWaitSaysTheJobWasDone() throws Exception {
        log(CHILD);
        Thread.currentThread().interrupt();
        try {
            OperationException e = assertThrows(OperationException.class, () -> judge(LogPosition.MISSING));
            assertEquals("Interrupted while waiting for the IOC to start.", e.getMessage());
            assertEquals(List.of("  -> The start job itself was already done; check: ioc-runner status NAME"), e.details());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anIocIsAlreadyRunningOnlyWhileItsLastMarkerIsIntact() throws Exception {
        assertFalse(check().alreadyRunning(A, Optional.empty()), "no log: not known to run");
        log(CHILD, MARKER);
        assertTrue(check().alreadyRunning(A, Optional.empty()));
        log(BANNER, CHILD);
        assertFalse(check().alreadyRunning(A, Optional.empty()), "the child died since");
        log(MARKER);
        assertTrue(check().alreadyRunning(A, Optional.empty()));
        Files.delete(layout.logFile(A));
        Files.createDirectory(layout.logFile(A));
        assertFalse(check().alreadyRunning(A, Optional.empty()), "an unreadable log is no proof");
    }

    @Test
    void extraCrashPatternsAreUsedOnlyWhenUsable() throws Exception {
        Path conf = root.resolve("a.conf");
        assertEquals(Optional.empty(), check().extraPatterns(conf, ConfFile.parse("IOC_NAME=\"a\"\n", "a.conf")));
        assertEquals(Optional.empty(), check().extraPatterns(conf, ConfFile.parse("CRASH_LOG_PATTERNS_EXTRA=\"  \"\n", "a.conf")));
        assertEquals(List.of(), err);

        Optional<Pattern> usable = check().extraPatterns(conf,
                ConfFile.parse("CRASH_LOG_PATTERNS_EXTRA=\" motor lost \"\n", "a.conf"));
        assertTrue(usable.orElseThrow().matcher("axis 2: MOTOR LOST power").find(), usable.toString());

        Optional<Pattern> unusable = check().extraPatterns(conf, ConfFile.parse("CRASH_LOG_PATTERNS_EXTRA=\"a||b\"\n", "a.conf"));
        assertEquals(Optional.empty(), unusable);
        assertEquals(1, err.size(), err.toString());
        assertTrue(err.get(0).startsWith("Warning: CRASH_LOG_PATTERNS_EXTRA in " + conf + " "), err.get(0));
        assertTrue(err.get(0).endsWith("; ignoring it for this run (base patterns remain active). Fix the value and re-run"
                + " 'install' to validate it."), err.get(0));
    }

    @Test
    void anExtraPatternAfterTheMarkerIsAnErrorOfThisIoc() throws Exception {
        log(CHILD, MARKER, "axis 2: motor lost power");
        assertEquals(StartupCheck.Outcome.STARTED, judge(LogPosition.MISSING), "not an error by the base patterns");
        Optional<Pattern> extra = check().extraPatterns(root.resolve("a.conf"),
                ConfFile.parse("CRASH_LOG_PATTERNS_EXTRA=\"motor lost\"\n", "a.conf"));
        assertEquals(StartupCheck.Outcome.STARTED_WITH_ERRORS,
                check().judge(A, manager.unit("a"), LogPosition.MISSING, extra, 0, progress));
    }
}
