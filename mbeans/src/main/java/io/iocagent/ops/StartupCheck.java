package io.iocagent.ops;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.IocName;
import io.iocagent.crash.CrashPatterns;
import io.iocagent.crash.ExtraPatternVerdict;
import io.iocagent.procserv.LogEvent;
import io.iocagent.procserv.LogPosition;
import io.iocagent.procserv.LogFile;
import io.iocagent.procserv.LogReader;
import io.iocagent.procserv.StartupSignals;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The seed's start/restart health verdict: after systemd's job, watch the IOC's procServ log —
 * not the journal — until the IOC reports {@code All initialization complete}, fails, or the
 * timeout passes, then watch a short dwell for a crash after initialization.
 *
 * <table>
 *   <caption>Outcomes</caption>
 *   <tr><td>fatal token before the marker</td><td>error, exit 1</td></tr>
 *   <tr><td>two or more death banners before the marker (minus a restart's own)</td><td>error, exit 1</td></tr>
 *   <tr><td>a death banner after the marker (dwell or final look)</td><td>error, exit 1</td></tr>
 *   <tr><td>error tokens after the marker</td><td>warning, exit 0</td></tr>
 *   <tr><td>no marker in time, unit active</td><td>warning, exit 0</td></tr>
 *   <tr><td>no marker in time, unit not active</td><td>error, exit 1</td></tr>
 * </table>
 *
 * Tokens are judged in log order: a fatal token written after the marker is only corroborating.
 */
final class StartupCheck {

    /** The verdict, for callers that report it without a terminal (MBeans). */
    enum Outcome {
        ALREADY_RUNNING, STARTED, STARTED_WITH_ERRORS, NOT_CONFIRMED, LOG_UNREADABLE,
        FAILED_INIT, CRASH_LOOP_BEFORE_INIT, CRASH_LOOP, NOT_ACTIVE
    }

    private final Session session;
    private final Terminal t;
    private final StartupTimings timings;

    StartupCheck(Session session) {
        this.session = session;
        this.t = session.terminal();
        this.timings = StartupTimings.from(session.env());
    }

    /** The log's current end, taken before the job so everything the start writes is new. */
    LogPosition baseline(IocName name) {
        try {
            return LogReader.endOf(LogFile.of(session.layout(), name));
        } catch (IOException e) {
            return LogPosition.MISSING;
        }
    }

    /**
     * The IOC's usable extra crash patterns, re-judged at every start (the installed file may have
     * been edited by hand since install validated it); an unusable value is ignored with a warning.
     */
    Optional<Pattern> extraPatterns(Path confFile, ConfFile conf) {
        String value = conf.get("CRASH_LOG_PATTERNS_EXTRA").map(String::trim).orElse("");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        ExtraPatternVerdict verdict = CrashPatterns.classifyExtra(value);
        if (verdict != ExtraPatternVerdict.USABLE) {
            t.err("Warning: CRASH_LOG_PATTERNS_EXTRA in " + confFile + " " + verdict.runtimeReason()
                    + "; ignoring it for this run (base patterns remain active). Fix the value and re-run 'install' to validate it.");
            return Optional.empty();
        }
        return CrashPatterns.compileExtra(value);
    }

    /**
     * True when a start of an already active unit finds the log's last readiness marker intact:
     * the seed's "already running" fast path.
     */
    boolean alreadyRunning(IocName name, Optional<Pattern> extra) {
        LogReader whole = new LogReader(LogFile.of(session.layout(), name), LogPosition.MISSING, extra);
        List<LogEvent> events = new ArrayList<>();
        try {
            LogReader.Batch batch;
            do {
                batch = whole.poll();
                events.addAll(batch.events());
            } while (!batch.events().isEmpty());
        } catch (IOException e) {
            return false;
        }
        return StartupSignals.intactSinceLastInit(events);
    }

    /**
     * Judges the start that began at {@code from}; prints the verdict.
     *
     * @param teardownAllowance 1 when a running unit was restarted (its stop writes one banner)
     * @param progress          told what is waited for: the marker, then the dwell
     * @throws OperationException (already reported) for every failing verdict
     */
    Outcome judge(IocName name, UnitName unit, LogPosition from, Optional<Pattern> extra, int teardownAllowance,
                  Progress progress) throws OperationException {
        Path log = session.layout().logFile(name);
        progress.waitingFor("'All initialization complete' in " + log, timings.initTimeout());
        String hint = "  -> Check logs: tail -f " + log;
        LogReader reader = new LogReader(LogFile.of(session.layout(), name), from, extra);
        StartupSignals signals = new StartupSignals(teardownAllowance);
        boolean unreadable = false;

        long deadline = System.nanoTime() + timings.initTimeout().toNanos();
        while (!signals.initComplete()) {
            unreadable = !poll(reader, signals);
            if (signals.initComplete()) {
                break;
            }
            if (signals.fatalBeforeInit()) {
                fail("IOC '" + name + "' failed to initialize (fatal error before iocInit).", hint);
            }
            if (signals.crashLoopBeforeInit()) {
                fail("IOC '" + name + "' is crash-looping before reaching iocInit.", hint);
            }
            if (System.nanoTime() >= deadline) {
                return timedOut(name, unit, unreadable, hint);
            }
            sleep(timings.pollInterval());
        }

        progress.waitingFor("initialized; watching for a crash", timings.dwell());
        long dwellEnd = System.nanoTime() + timings.dwell().toNanos();
        while (System.nanoTime() < dwellEnd) {
            sleep(timings.pollInterval());
            poll(reader, signals);
            if (signals.diedAfterInit()) {
                fail("IOC '" + name + "' is crash-looping.", hint);
            }
        }
        poll(reader, signals);
        if (signals.diedAfterInit()) {
            fail("IOC '" + name + "' is crash-looping.", hint);
        }
        if (signals.errorsAfterInit()) {
            t.err("");
            t.err("Warning: IOC '" + name + "' is active but reported errors after initialization (check device connections).");
            t.err(hint);
            return Outcome.STARTED_WITH_ERRORS;
        }
        t.out("IOC '" + name + "' successfully started.");
        return Outcome.STARTED;
    }

    private Outcome timedOut(IocName name, UnitName unit, boolean unreadable, String hint) throws OperationException {
        UnitState state = Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit);
        t.err("");
        if (state.isActive() && unreadable) {
            t.err("Warning: IOC '" + name + "' is active, but its startup log could not be read.");
            t.err(hint);
            return Outcome.LOG_UNREADABLE;
        }
        if (state.isActive()) {
            t.err("Warning: IOC '" + name + "' is active but did not report initialization complete within "
                    + timings.initTimeout().toSeconds() + "s.");
            t.err(hint);
            return Outcome.NOT_CONFIRMED;
        }
        t.err("Error: IOC '" + name + "' failed to start or crashed immediately (State: " + state.activeState() + ").");
        t.err("  -> Troubleshooting: Check the logs by running the following command:");
        t.err(hint);
        throw OperationException.alreadyReported("IOC '" + name + "' is not active (" + state.activeState() + ")");
    }

    /** Feeds new events to {@code signals}; false when the log exists but cannot be read. */
    private static boolean poll(LogReader reader, StartupSignals signals) {
        try {
            signals.acceptAll(reader.poll().events());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void fail(String message, String hint) throws OperationException {
        t.err("");
        t.err("Error: " + message);
        t.err(hint);
        throw OperationException.alreadyReported(message);
    }

    private static void sleep(Duration d) throws OperationException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OperationException.failure("Interrupted while waiting for the IOC to start.",
                    "  -> The start job itself was already done; check: ioc-runner status NAME");
        }
    }
}
