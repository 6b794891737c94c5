package io.iocagent.jmx;

import io.iocagent.conf.IocName;
import io.iocagent.ops.AuditLog;
import io.iocagent.ops.Generator;
import io.iocagent.ops.Inspector;
import io.iocagent.ops.Installer;
import io.iocagent.ops.IocRow;
import io.iocagent.ops.Lifecycle;
import io.iocagent.ops.ListFormat;
import io.iocagent.ops.ListReport;
import io.iocagent.ops.OperationException;
import io.iocagent.ops.Remover;
import io.iocagent.ops.Session;
import io.iocagent.ops.StatusReport;
import io.iocagent.ops.UnitView;
import io.iocagent.ops.ConsoleInspection;
import io.iocagent.ops.WhichIoc;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import javax.management.MBeanException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door from JMX into {@code io.iocagent.ops}: each method opens a {@link Session} on a
 * {@link Transcript}, calls the same operation class the command line calls, and returns what it
 * printed. There is no second implementation of any operation here.
 *
 * <p><b>Threads.</b> Safe for any number of JMX threads. Operations that change something
 * (install, generate, remove, start, stop, restart, enable, disable) are serialised by one fair
 * lock and run on the caller's thread, so two callers never interleave systemd jobs or file
 * writes; a start may hold the lock for the job timeout plus the startup verdict (minutes).
 * Reading operations (list, inspect, view, tail) take no lock. After every changing operation
 * the refresh hook runs (outside the lock) so attributes and notifications follow promptly.
 *
 * <p><b>Errors.</b> Arguments are checked before anything runs: a bad one gives
 * {@link IllegalArgumentException} with the command line's wording. A failed operation gives
 * {@link MBeanException} whose message is {@link OperationException#fullText()} followed by what
 * the operation printed before failing; its cause is a plain {@link Exception} with the same text,
 * so remote clients never need this project's classes to see why. The operations themselves check
 * every gate before they write, so a refusal never leaves a half-done change.
 */
public final class Operations {

    /** Most log lines {@code tailLog} returns; the log tail reads at most its last 64 KiB anyway. */
    public static final int MAX_TAIL_LINES = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);

    private final Sessions sessions;
    private final Runnable refresh;
    private final ReentrantLock changes = new ReentrantLock(true);
    private final AuditLog audit = new AuditLog();

    /**
     * @param sessions opens the session of each operation
     * @param refresh  rebuilds the snapshot now and returns once the {@code SnapshotSource} has
     *                 published it (so listeners have run); called from JMX threads, must be
     *                 thread-safe
     */
    public Operations(Sessions sessions, Runnable refresh) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.refresh = Objects.requireNonNull(refresh, "refresh");
    }

    /** {@code generate DIR}: writes {@code DIR/<dirname>.conf}. */
    public String generate(String dir, boolean force) throws MBeanException {
        requireAbsolute(dir, "dir", "the iocBoot directory holding st.cmd");
        return changing("generate", "", dir, force, s -> new Generator(s).generate(dir)).text();
    }

    /** {@code install PATH}: installs {@code NAME.conf} (or the one in an iocBoot directory). */
    public String install(String path, boolean force) throws MBeanException {
        requireAbsolute(path, "path", "NAME.conf or the iocBoot directory holding it");
        return changing("install", "", path, force, s -> new Installer(s).install(path)).text();
    }

    public String remove(IocName name) throws MBeanException {
        return changing("remove", name, false, s -> {
            new Remover(s).remove(name);
            return null;
        }).text();
    }

    /** {@code start}, {@code stop}, … of IOC {@code name}; the transcript (a start's ends with the verdict line). */
    String act(UnitAction action, IocName name) throws MBeanException {
        return changing(action.word(), name, false, s -> action.on(new Lifecycle(s), name)).text();
    }

    /** {@code inspect NAME} as a structure ({@link Inspector#trace}). */
    public ConsoleInspection inspect(IocName name) throws MBeanException {
        Done<ConsoleInspection> done = reading("inspect " + name, s -> new Inspector(s).inspection(name));
        return done.value().withNotes(done.transcript().lines());
    }

    /** {@code view NAME}: the configuration and the unit files systemd resolves for it. */
    public String view(IocName name) throws MBeanException {
        return reading("view " + name, s -> {
            new UnitView(s).show(name);
            return null;
        }).text();
    }

    /** {@code list -v}: the table, one row per IOC. */
    public String list() throws MBeanException {
        return reading("list", s -> {
            ListReport report = new ListReport(s);
            List<IocRow> rows = report.collect(ListReport.Detail.PROCESS);
            if (rows.isEmpty()) {
                s.terminal().out("No IOCs installed in " + s.layout().confDir() + " and no "
                        + s.layout().templatePrefix() + "*.service units loaded.");
            } else {
                ListFormat.table(rows, 1).forEach(s.terminal()::out);
            }
            if (report.accessLimited()) {
                s.terminal().out("Note: some directories are not readable by the agent; the list may be incomplete.");
            }
            return null;
        }).text();
    }

    /**
     * {@code which PV}: every IOC of this host serving {@code pv} ({@link WhichIoc#find}).
     *
     * @throws IllegalArgumentException for a PV name that cannot be asked for (nothing is asked)
     */
    public WhichIoc.Answer whichIoc(String pv) throws MBeanException {
        String problem = WhichIoc.problem(pv);
        if (problem != null) {
            throw new IllegalArgumentException("Cannot ask for PV: " + problem);
        }
        return reading("which " + pv, s -> new WhichIoc(s).find(pv)).value();
    }

    /**
     * The last {@code lines} lines of the IOC's procServ log ({@link StatusReport#tail}).
     *
     * @throws IllegalArgumentException unless 1 ≤ lines ≤ {@link #MAX_TAIL_LINES}
     */
    public List<String> tailLog(IocName name, int lines) throws MBeanException {
        if (lines < 1 || lines > MAX_TAIL_LINES) {
            throw new IllegalArgumentException("lines must be between 1 and " + MAX_TAIL_LINES + ", not " + lines + ".");
        }
        return reading("tail " + name, s -> StatusReport.tailLog(s, name, lines)).value();
    }

    /** Rebuilds the snapshot now. */
    public void refresh() throws MBeanException {
        try {
            refresh.run();
        } catch (RuntimeException e) {
            LOG.warn("refresh requested over JMX failed", e);
            String text = "Refresh failed: " + e.getMessage();
            throw new MBeanException(new Exception(text), text);
        }
    }

    /** Validates an IOC name given as an operation argument. */
    static IocName iocName(String name) {
        if (name == null || !IocName.isValid(name)) {
            throw new IllegalArgumentException(IocName.invalidMessage(String.valueOf(name), false));
        }
        return new IocName(name);
    }

    private static void requireAbsolute(String path, String param, String what) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException(param + " is required: " + what + ".");
        }
        if (!Path.of(path).isAbsolute()) {
            throw new IllegalArgumentException(param + " '" + path + "' must be an absolute path (" + what
                    + "); the agent's working directory is not the caller's.");
        }
    }

    private <T> Done<T> changing(String operation, IocName name, boolean force, Body<T> body) throws MBeanException {
        return changing(operation, name.toString(), "", force, body);
    }

    /**
     * Runs a changing operation under the lock, refreshes, and audits it unless the surface that
     * brought the call audits it itself ({@link SurfaceAudit}).
     */
    private <T> Done<T> changing(String operation, String ioc, String detail, boolean force, Body<T> body)
            throws MBeanException {
        String what = ioc.isEmpty() ? operation : operation + " " + ioc;
        try {
            changes.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            String text = "Interrupted while waiting for another operation to finish; '" + what + "' did not run.";
            audit(operation, ioc, detail, AuditLog.Outcome.FAILED, text);
            throw new MBeanException(new Exception(text), text);
        }
        try {
            audit(operation, ioc, detail, AuditLog.Outcome.STARTED, "");
            Done<T> done = run(what, force, body);
            audit(operation, ioc, detail, AuditLog.Outcome.OK, done.transcript().lastLine());
            return done;
        } catch (MBeanException e) {
            audit(operation, ioc, detail, AuditLog.Outcome.FAILED, e.getMessage());
            throw e;
        } finally {
            changes.unlock();
            refreshQuietly(what);
        }
    }

    /** A local JMX caller (attach by PID): a process of the agent's own user, or root. */
    private void audit(String operation, String ioc, String detail, AuditLog.Outcome outcome, String message) {
        if (!SurfaceAudit.active()) {
            audit.record(new AuditLog.Event("jmx", "local", "operator", "local", "exec", ioc, "", operation,
                    detail, outcome, message));
        }
    }

    private <T> Done<T> reading(String what, Body<T> body) throws MBeanException {
        return run(what, false, body);
    }

    private <T> Done<T> run(String what, boolean force, Body<T> body) throws MBeanException {
        Transcript transcript = new Transcript();
        try (Session session = sessions.open(transcript, force)) {
            return new Done<>(body.run(session), transcript);
        } catch (OperationException e) {
            throw failure(e, transcript);
        } catch (RuntimeException e) {
            LOG.error("JMX operation '{}' failed unexpectedly", what, e);
            List<String> lines = new ArrayList<>();
            lines.add("Operation '" + what + "' failed unexpectedly: " + e);
            lines.addAll(transcript.lines());
            String text = String.join("\n", lines);
            throw new MBeanException(new Exception(text), text);
        }
    }

    /** The error text: what failed and what to do, then what the operation had printed. */
    static MBeanException failure(OperationException e, Transcript transcript) {
        List<String> lines = new ArrayList<>();
        lines.add(e.fullText());
        List<String> printed = transcript.lines();
        if (!printed.isEmpty()) {
            lines.add("--- output ---");
            lines.addAll(printed);
        }
        if (transcript.prompted()) {
            lines.add("  -> JMX callers cannot answer prompts; call installForce or generateForce to proceed.");
        }
        String text = String.join("\n", lines);
        return new MBeanException(new Exception(text), text);
    }

    private void refreshQuietly(String what) {
        try {
            refresh.run();
        } catch (RuntimeException e) {
            LOG.warn("refresh after '{}' failed; attributes catch up at the next scheduled refresh", what, e);
        }
    }

    static String iso(Instant at) {
        return at == null ? "" : at.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @FunctionalInterface
    private interface Body<T> {
        T run(Session session) throws OperationException;
    }

    /** An operation's value and what it printed. */
    private record Done<T>(T value, Transcript transcript) {
        String text() {
            return transcript.text();
        }
    }
}
