package io.iocagent.model;

import io.iocagent.crash.ChildExit;
import io.iocagent.procserv.LogEvent;
import io.iocagent.systemd.ActiveState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * One IOC's children as its procServ log and systemd tell them over time, and the {@link Readiness}
 * that follows — the start verdict's rules ({@code StartupCheck}, {@link io.iocagent.procserv.StartupSignals})
 * applied continuously instead of once after a start.
 *
 * <p><b>Generations.</b> Each {@code ChildStarted} ("The PID of new child") begins a {@link Generation}. A
 * generation reaches its marker ({@code All initialization complete}), logs tokens, and dies with
 * procServ's death banner. Tokens and markers before any {@code ChildStarted} (a log that begins
 * mid-run) belong to an anonymous generation.
 *
 * <p><b>Runs.</b> A run is the life of one procServ process (one systemd main PID). A new run
 * starts from scratch, as the start verdict judges every start from its own baseline: when systemd
 * is seen to stop the unit or to replace its main process, or when a new child's parent (from
 * {@code /proc}) is not the procServ of the run, the crash history is forgotten and the death banner
 * that the stop makes procServ write is not counted as a crash (the verdict's teardown allowance).
 *
 * <p><b>The rule</b>, evaluated at {@code now} with a crash window W (default 60 s) and a settle
 * time S (default 10 s); the first that applies wins:
 * <ol>
 *   <li>systemd unreachable or the unit's state unknown: {@code UNKNOWN};</li>
 *   <li>{@code ActiveState=failed}: {@code FAILED};</li>
 *   <li>{@code activating}: {@code CRASH_LOOP} if systemd restarted procServ twice or more within
 *       W ({@code NRestarts} rising), else {@code STARTING};</li>
 *   <li>any other state but {@code active}/{@code reloading}/{@code refreshing}: {@code STOPPED};</li>
 *   <li>the log exists but cannot be read: {@code UNKNOWN};</li>
 *   <li>a fatal token before the marker in this run, and no generation has reached the marker
 *       since: {@code FAILED} (sticky across procServ's restarts, so a child that fails the same way
 *       every time stays FAILED instead of flickering through STARTING);</li>
 *   <li>{@code CRASH_LOOP} when, within W, (a) two or more children died before their marker and
 *       the current child has not reached it, or (b) two or more children died after their marker,
 *       or (c) one child died after its marker and the current child has not yet been past its
 *       marker for S while alive, or (d) systemd restarted procServ twice or more and the current
 *       child has not settled that way ({@link CrashHistory});</li>
 *   <li>the current child reached its marker and is alive: {@code READY};</li>
 *   <li>otherwise {@code STARTING}.</li>
 * </ol>
 * So CRASH_LOOP decays by itself: to READY once the child that replaced a single post-init crash has
 * lived S past its marker (or, for repeated crashes, once the deaths are older than W), and to
 * STARTING when no child gets that far.
 *
 * <p><b>Other writers.</b> An orphan of an earlier run (a procServ a crashed manager left behind,
 * which a new manager does not know) writes into the same log file. Its lines must not be taken
 * for the live IOC's: a death banner while the current child still lives (by {@code /proc}), an
 * exit procServ logged for another PID while it lives, and a new child whose parent lives but is
 * not the run's procServ while that one lives too are another procServ's, and are left out.
 *
 * <p><b>First sight.</b> The existing log is read once ({@link #acceptBacklog}) to learn the current
 * child: its PID, whether it reached the marker, its last error. Backlog events carry no time, so
 * they do not count towards W, with one exception: when the log was written within W and ends in
 * two or more deaths before any marker, those deaths are dated at the log's last write — a crash
 * loop under way when the agent starts is then reported at once.
 *
 * <p><b>Counters.</b> {@link #childRestarts()} counts the {@code ChildStarted} events read live
 * (not from the backlog) that follow an earlier child of the same run: procServ's own restarts of
 * its child since the agent started watching. The first child seen in each run (after a start or
 * restart of the unit, or when watching begins with an empty log) is not a restart — the "minus one
 * for the first", applied per run so that restarting the unit by hand does not count.
 *
 * <p><b>Exits.</b> procServ logs how it reaped each child ({@link ChildExit}); the last one is kept
 * across runs and log rotations ({@link #lastExit()}), and those read live are counted by reason
 * ({@link #exits()}) — a child killed by a stop counts too when procServ logged it ({@link ChildExits}).
 *
 * <p><b>Unlogged deaths.</b> When procServ cannot write its log (the log directory is full), a
 * child's death, the next child's start and its marker are lost. Each poll therefore also looks at
 * the current child's process ({@link #childChecked}): a child gone on two polls in a row while its
 * procServ lives, with no death banner read meanwhile, died unlogged — it counts as a death and an
 * exit of reason {@code unknown}. procServ's live child, if any, is then followed as the next
 * generation, as is one seen on two polls after a death when the log told of no new child (not
 * READY until its marker is read: it may never have reached it).
 *
 * <p>Not thread-safe: the refresher's thread owns it.
 */
final class ChildTracker {

    /** How far back deaths count towards a crash loop. */
    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);

    /** How long a child must live past its marker to clear a single crash after init. */
    static final Duration DEFAULT_SETTLE = Duration.ofSeconds(10);

    private final Duration settle;
    private final IntUnaryOperator parentOf;

    private Generation current;
    private final CrashHistory crashes;
    private final ChildExits exits = new ChildExits();
    private boolean fatalBeforeMarker;
    /** The line that set {@link #fatalBeforeMarker}. */
    private String fatalLine = "";
    private long childRestarts;
    /** procServ of the current run, 0 when not known. */
    private int runPid;
    /** The next ChildStarted is the first child of a new run. */
    private boolean runStartPending;
    /** The next death banner is the one a stop makes procServ write. */
    private boolean teardownPending;
    /** The last poll found the current child gone without a death banner (see {@link #childChecked}). */
    private boolean vanished;
    /** The last poll found procServ running a child the log did not tell of (see {@link #childChecked}). */
    private boolean unseenChild;

    /**
     * @param parentOf the parent PID of a live process, or -1 when unknown (the process is gone or
     *                 a zombie); asked for live {@code ChildStarted}, death banners and exits
     */
    ChildTracker(Duration window, Duration settle, IntUnaryOperator parentOf) {
        this.crashes = new CrashHistory(window);
        this.settle = Objects.requireNonNull(settle, "settle");
        this.parentOf = Objects.requireNonNull(parentOf, "parentOf");
    }

    ChildTracker(IntUnaryOperator parentOf) {
        this(DEFAULT_WINDOW, DEFAULT_SETTLE, parentOf);
    }

    /**
     * Reads the log that existed before watching began, in file order.
     *
     * @param lastWrite the log's modification time, if known
     * @param now       the current time
     */
    void acceptBacklog(List<LogEvent> events, Instant lastWrite, Instant now) {
        int trailingEarlyDeaths = 0;
        for (LogEvent event : events) {
            apply(event, null);
            if (event instanceof LogEvent.InitComplete) {
                trailingEarlyDeaths = 0;
            } else if (event instanceof LogEvent.ChildShuttingDown && current != null && !current.markerSeen) {
                trailingEarlyDeaths++;
            }
        }
        if (current != null && current.pid > 0 && !current.died) {
            int parent = parentOf.applyAsInt(current.pid);
            if (parent > 0) {
                runPid = parent;
            }
        }
        crashes.backlogEndedIn(trailingEarlyDeaths, lastWrite, now);
    }

    /** A new event read from the live log at {@code at}. */
    void accept(LogEvent event, Instant at) {
        apply(event, Objects.requireNonNull(at, "at"));
    }

    /**
     * What systemd said about the unit at {@code at}; call it after feeding the log read just before
     * the state was read, so that a stop's death banner is already known if procServ wrote it.
     *
     * @param running   ActiveState is {@code active}, {@code reloading} or {@code refreshing}
     * @param mainPid   procServ's PID, 0 if none
     * @param nRestarts systemd's {@code NRestarts}
     */
    void unitObserved(boolean running, int mainPid, long nRestarts, Instant at) {
        crashes.nRestarts(nRestarts, at);
        if (!running || mainPid <= 0) {
            if (runPid != 0 || !runStartPending) {
                endRun();
            }
            runPid = 0;
            return;
        }
        if (runPid == 0) {
            runPid = mainPid;
        } else if (runPid != mainPid) {
            endRun();
            runPid = mainPid;
        }
    }

    private void apply(LogEvent event, Instant at) {
        boolean live = at != null;
        if (event instanceof LogEvent.ChildStarted started) {
            childStarted(started.pid(), at, live);
        } else if (event instanceof LogEvent.ChildShuttingDown) {
            childDied(at, live);
        } else if (event instanceof LogEvent.InitComplete) {
            Generation g = currentOrAnonymous(at);
            g.markerSeen = true;
            g.markerAt = at;
            fatalBeforeMarker = false;
        } else if (event instanceof LogEvent.FatalToken fatal) {
            Generation g = currentOrAnonymous(at);
            if (!g.markerSeen) {
                fatalBeforeMarker = true;
                fatalLine = fatal.line();
            }
            g.lastError = fatal.line();
        } else if (event instanceof LogEvent.ErrorToken error) {
            currentOrAnonymous(at).lastError = error.line();
        } else if (event instanceof LogEvent.ChildExited exited) {
            if (!(live && othersChild(exited.exit().pid()))) {
                exits.logged(exited.exit(), at);
            }
        }
    }

    private void childStarted(int pid, Instant at, boolean live) {
        if (live && current != null && !current.died && current.pid == pid) {
            return; // the child already followed by its process (its start could not be logged then)
        }
        int parent = live ? parentOf.applyAsInt(pid) : -1;
        if (parent > 0 && runPid > 0 && parent != runPid && parentOf.applyAsInt(runPid) > 0) {
            return; // started by another procServ while the run's own lives: an orphan's child
        }
        boolean newRun = runStartPending || (parent > 0 && runPid > 0 && parent != runPid);
        if (newRun && !runStartPending) {
            // The log shows a new procServ before systemd told us: what ended the last child was a stop.
            forgetHistory();
        }
        if (live && !newRun && current != null) {
            childRestarts++; // procServ replaced a child of this run
        }
        if (parent > 0) {
            runPid = parent;
        }
        runStartPending = false;
        teardownPending = false;
        current = new Generation(pid, at);
    }

    private void childDied(Instant at, boolean live) {
        if (live && current != null && !current.died && current.pid > 0 && parentOf.applyAsInt(current.pid) > 0) {
            return; // the current child lives: the banner is another procServ's
        }
        if (teardownPending) {
            teardownPending = false;
            if (current != null) {
                current.died = true;
            }
            return;
        }
        if (current == null || current.died) {
            return; // a banner for a child we never saw start, or a repeat
        }
        current.died = true;
        if (live) {
            crashes.died(at, current.markerSeen);
        }
    }

    /** The unit stopped or got a new procServ: a new run will begin. */
    private void endRun() {
        teardownPending = current != null && !current.died;
        forgetHistory();
        current = null;
        runStartPending = true;
    }

    private void forgetHistory() {
        crashes.forgetDeaths();
        fatalBeforeMarker = false;
    }

    /** An exit logged for {@code pid} while the current child, another process, lives. */
    private boolean othersChild(int pid) {
        return current != null && !current.died && current.pid > 0 && current.pid != pid
                && parentOf.applyAsInt(current.pid) > 0;
    }

    private Generation currentOrAnonymous(Instant at) {
        if (current == null) {
            current = new Generation(-1, at);
        }
        return current;
    }

    /**
     * The readiness at {@code now}; see the class comment for the rule.
     *
     * @param systemdKnown the unit's state is current (systemd reachable)
     * @param activeState  systemd's ActiveState
     * @param logReadable  the last read of the log did not fail
     */
    Readiness readiness(boolean systemdKnown, ActiveState activeState, boolean logReadable, Instant now) {
        if (!systemdKnown) {
            return Readiness.UNKNOWN;
        }
        crashes.expire(now);
        if (activeState == ActiveState.FAILED) {
            return Readiness.FAILED;
        }
        if (activeState == ActiveState.ACTIVATING) {
            return crashes.restartsLoop() ? Readiness.CRASH_LOOP : Readiness.STARTING;
        }
        if (!activeState.isUp()) {
            return Readiness.STOPPED;
        }
        if (!logReadable) {
            return Readiness.UNKNOWN;
        }
        if (fatalBeforeMarker) {
            return Readiness.FAILED;
        }
        boolean reached = current != null && current.markerSeen;
        boolean alive = current != null && !current.died;
        boolean settled = reached && alive
                && (current.markerAt == null || !now.isBefore(current.markerAt.plus(settle)));
        if (crashes.crashLoop(reached, settled)) {
            return Readiness.CRASH_LOOP;
        }
        return reached && alive ? Readiness.READY : Readiness.STARTING;
    }

    /**
     * A poll's look at the current child's process, for a death procServ could not log (see the
     * class comment). Call it after the poll's log read and unit state.
     *
     * @param childOf the live child of a procServ PID among its unit's processes, -1 when none
     * @return true when an unlogged death was taken (the IOC's child facts changed)
     */
    boolean childChecked(Instant at, IntUnaryOperator childOf) {
        if (runPid > 0 && current != null && !current.died && current.pid > 0 && parentOf.applyAsInt(current.pid) > 0) {
            vanished = false; // the usual case, one /proc read: the child lives
            return false;
        }
        if (runPid <= 0 || current == null || parentOf.applyAsInt(runPid) <= 0) {
            vanished = false;
            unseenChild = false;
            return false;
        }
        boolean died = false;
        if (!current.died && current.pid > 0) {
            if (!vanished) {
                vanished = true; // gone once: procServ's banner may still be on its way to the log
                return false;
            }
            vanished = false;
            current.died = true;
            crashes.died(at, current.markerSeen);
            exits.unlogged(current.pid, at);
            died = true;
        }
        if (!current.died) {
            return false;
        }
        // No live child known: does procServ run one whose start the log did not tell?
        int next = childOf.applyAsInt(runPid);
        if (next <= 0 || next == current.pid) {
            unseenChild = false;
            return died;
        }
        if (!died && !unseenChild) {
            unseenChild = true; // seen once: its start line may still be on its way to the log
            return false;
        }
        unseenChild = false;
        childRestarts++;
        current = new Generation(next, at);
        return true;
    }

    /** The current child's PID while it lives, else -1. */
    int childPid() {
        return current != null && !current.died && current.pid > 0 ? current.pid : -1;
    }

    /** procServ's restarts of its child seen since watching began; see the class comment. */
    long childRestarts() {
        return childRestarts;
    }

    /**
     * The last fatal or error line of the current child; while FAILED carries over from an earlier
     * child (rule 6) and the current one has logged none yet, the fatal line that caused it; else empty.
     */
    String lastError() {
        String own = current == null ? "" : current.lastError;
        return own.isEmpty() && fatalBeforeMarker ? fatalLine : own;
    }

    /** The last child exit procServ logged (its time is null when read from the backlog), or null. */
    ChildExit lastExit() {
        return exits.last();
    }

    /** Child exits read live, by reason ({@code exit_N}, {@code signal_NAME}); a copy. */
    Map<String, Long> exits() {
        return exits.byReason();
    }
}
