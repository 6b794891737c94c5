package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.procserv.LogEvent;
import io.iocagent.procserv.LogPosition;
import io.iocagent.procserv.LogFile;
import io.iocagent.procserv.LogReader;
import io.iocagent.systemd.ActiveState;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IOC as the refresher knows it between refreshes: the latest facts from each source, the log
 * reader that follows its procServ log (kept for the IOC's whole life in the model, so the log is
 * read from the start only once) and the {@link ChildTracker} fed from it.
 *
 * <p>Not thread-safe: the refresher's thread owns it.
 */
final class TrackedIoc {

    private static final Logger LOG = LoggerFactory.getLogger(TrackedIoc.class);

    private final IocName name;
    private final Layout layout;
    private final ChildTracker tracker;
    private InstalledConf conf;
    private UnitState unit;
    private LogReader reader;
    private String readerExtra = "";
    private boolean backlogRead;
    private boolean logReadable = true;
    /** Why the log could not be read ("log not readable: …" for a log that must not be), else empty. */
    private String logProblem = "";
    private ConsoleSurvey.Console console = ConsoleSurvey.Console.ABSENT;
    private CgroupUsage usage;
    private IocEndpoints endpoints = IocEndpoints.NONE;
    private Responsiveness probed = Responsiveness.UNPROBED;
    private boolean unitRead;
    private long unitReadAt; // System.nanoTime() before the held unit state was asked for
    private boolean childSeen;
    private long childSeenAt; // System.nanoTime() of the last log read that found a child start or end
    // The paths as the snapshots show them, made once: every publish builds a snapshot of every
    // IOC and compares it with the last one, so shared strings save an allocation and a
    // character-by-character comparison each, three times per IOC.
    private final String confFileText;
    private final String logFileText;
    private Path socketPathShown;
    private String socketPathText = "";

    /**
     * @param parentOf the parent PID of a live process, -1 if unknown; see {@link ChildTracker}
     */
    TrackedIoc(IocName name, Layout layout, IntUnaryOperator parentOf) {
        this.name = name;
        this.layout = layout;
        this.tracker = new ChildTracker(parentOf);
        this.confFileText = layout.confFile(name).toString();
        this.logFileText = layout.logFile(name).toString();
    }

    /** See {@link IocFacts#belongs}. */
    static boolean belongs(InstalledConf conf, UnitState state) {
        return IocFacts.belongs(conf != null, state);
    }

    IocName name() {
        return name;
    }

    InstalledConf conf() {
        return conf;
    }

    /** Null until systemd has been asked. */
    UnitState unit() {
        return unit;
    }

    /** The console socket path: the conf's {@code IOC_PORT}, else the standard one. */
    Path socketPath() {
        return conf != null ? conf.socketPath() : IocFacts.socketPath(layout, name, Optional.empty());
    }

    /** The unit is active (so it has processes, a console, CPU use). */
    boolean active() {
        return unit != null && unit.isActive();
    }

    /** Takes a new reading of the conf (null when not installed); a changed extra pattern takes effect for lines read from now on. */
    void conf(InstalledConf next) {
        conf = next;
        String extra = next == null ? "" : next.extraSource();
        if (reader != null && !extra.equals(readerExtra)) {
            reader = new LogReader(LogFile.of(layout, name), reader.position(), next.extra());
        }
        readerExtra = extra;
    }

    /**
     * Reads what procServ appended to the log; the first call reads the whole existing log to learn
     * the current child.
     *
     * @return true when a child started or ended (its console may have come or gone)
     */
    boolean readLog(Instant now) {
        if (reader == null) {
            reader = new LogReader(LogFile.of(layout, name), LogPosition.MISSING,
                    conf == null ? Optional.empty() : conf.extra());
        }
        try {
            long readAt = System.nanoTime();
            List<LogEvent> events = reader.poll().events();
            if (events.stream().anyMatch(e -> e instanceof LogEvent.ChildStarted || e instanceof LogEvent.ChildShuttingDown)) {
                childSeen = true;
                childSeenAt = readAt;
            }
            boolean children = false;
            if (!backlogRead) {
                backlogRead = true;
                tracker.acceptBacklog(events, lastWrite(reader.file()), now);
            } else {
                for (LogEvent event : events) {
                    tracker.accept(event, now);
                    children |= event instanceof LogEvent.ChildStarted || event instanceof LogEvent.ChildShuttingDown
                            || event instanceof LogEvent.ChildExited;
                }
            }
            if (!logReadable) {
                LOG.info("The log of IOC '{}' ({}) is readable again.", name, reader.file());
            }
            logReadable = true;
            logProblem = "";
            return children;
        } catch (IOException e) {
            if (logReadable) {
                LOG.warn("Cannot read the log of IOC '{}' ({}): {}; its readiness is UNKNOWN until it can be read.",
                        name, reader.file(), e.getMessage());
            }
            logReadable = false;
            logProblem = e instanceof LogFile.NotReadableException ? e.getMessage() : "log not readable: " + e.getMessage();
            return false;
        }
    }

    /**
     * Whether a unit state asked for at {@code readAt} ({@link System#nanoTime()}) is newer than
     * everything this IOC knows: newer than the held state and than the last log read that found
     * a child start or end. {@link ChildTracker#unitObserved} relies on a state being at least as
     * new as the child lines taken before it (to tell a restart by systemd from a crash); an older
     * one is dropped, and the signal or the poll that follows brings a newer one.
     */
    boolean accepts(long readAt) {
        return (!unitRead || readAt - unitReadAt > 0) && (!childSeen || readAt - childSeenAt > 0);
    }

    /** Takes a new unit state from systemd, asked for at {@code readAt}; see {@link #accepts}. */
    void unit(UnitState state, Instant now, long readAt) {
        unit = state;
        unitRead = true;
        unitReadAt = readAt;
        tracker.unitObserved(state.active().isUp(), state.mainPid(), state.restarts(), now);
    }

    /**
     * Looks at the current child's process for a death procServ could not log
     * ({@link ChildTracker#childChecked}); call it on a poll, after the log and the unit state.
     *
     * @param childOf procServ's live child among the unit's processes, -1 when none
     * @return true when the child facts changed
     */
    boolean checkChild(Instant now, IntUnaryOperator childOf) {
        return active() && tracker.childChecked(now, childOf);
    }

    void console(ConsoleSurvey.Console next) {
        console = next;
    }

    /** CPU and memory read from the unit's cgroup; null when unknown (systemd's figures are used then). */
    void usage(CgroupUsage next) {
        usage = next;
    }

    /** The CA and PVA endpoints as last surveyed ({@link IocEndpoints#NONE} when inactive). */
    void endpoints(IocEndpoints next) {
        endpoints = next;
    }

    /**
     * Takes what the hang probe found.
     *
     * @return true when it changes whether the IOC answers (so its readiness may change)
     */
    boolean probed(Responsiveness next) {
        boolean changed = next.state() != probed.state() || next.childPid() != probed.childPid();
        probed = next;
        return changed;
    }

    /**
     * The probe's finding for the current child, {@link Responsiveness#UNPROBED} when there is none
     * (no child, or the finding is about an earlier child).
     */
    private Responsiveness responsiveness(int childPid) {
        return childPid > 0 && probed.childPid() == childPid ? probed : Responsiveness.UNPROBED;
    }

    /**
     * The IOC now, as surfaces see it. Readiness is the {@link ChildTracker}'s, except that a READY
     * child whose Channel Access server stopped answering the probe is {@link Readiness#HUNG}.
     *
     * @param systemdConnected the last call to systemd succeeded (else readiness is UNKNOWN)
     */
    IocSnapshot snapshot(boolean systemdConnected, Instant now) {
        boolean active = active();
        IocFacts.Usage used = IocFacts.usage(unit, Optional.ofNullable(usage));
        double cpuSeconds = used.cpuNanos().isPresent() ? used.cpuNanos().getAsLong() / 1e9 : Double.NaN;
        long memoryBytes = used.memoryBytes().orElse(-1);
        boolean known = systemdConnected && unit != null;
        int childPid = active ? tracker.childPid() : -1;
        Responsiveness answers = responsiveness(childPid);
        Readiness readiness = tracker.readiness(known, known ? unit.active() : ActiveState.UNKNOWN, logReadable, now);
        if (readiness == Readiness.READY && answers.state() == Responsiveness.State.UNRESPONSIVE) {
            readiness = Readiness.HUNG;
        }
        return new IocSnapshot(
                name.value(),
                conf != null,
                known ? unit.active() : ActiveState.UNKNOWN, // the last state read may be stale: say so
                known ? unit.subState() : "",
                unit != null && unit.unitFileState().startsWith("enabled"),
                readiness,
                unit != null && unit.mainPid() > 0 ? unit.mainPid() : -1,
                childPid,
                cpuSeconds,
                memoryBytes,
                unit == null ? -1 : unit.restarts(),
                tracker.childRestarts(),
                active ? unit.activeEnterTimestamp().orElse(null) : null,
                socketPathText(),
                console.listening() ? "LISTEN" : "ABSENT",
                console.clients().stream().map(c -> new ConsoleClientInfo(c.pid(), c.user(), c.command())).toList(),
                console.recvQueue(),
                console.sendQueue(),
                confFileText,
                logFileText,
                conf == null ? "" : conf.command(),
                conf == null ? "" : conf.workingDirectory(),
                logProblem.isEmpty() ? tracker.lastError() : logProblem,
                tracker.lastExit(),
                tracker.exits(),
                active ? endpoints : IocEndpoints.NONE,
                unit == null ? List.of() : IocFacts.orphanPids(console, unit.mainPid()),
                answers);
    }

    /** {@link #socketPath()} as text, the same string for as long as the path stays the same. */
    private String socketPathText() {
        Path path = socketPath();
        if (!path.equals(socketPathShown)) {
            socketPathShown = path;
            socketPathText = path.toString();
        }
        return socketPathText;
    }

    private static Instant lastWrite(Path file) {
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            return null; // not there (yet): no backlog to date
        }
    }
}
