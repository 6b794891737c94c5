package io.iocagent.model;

import io.iocagent.systemd.ActiveState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.iocagent.crash.ChildExit;
import io.iocagent.procserv.LogEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The readiness rules, fed with log events and unit states on a hand-driven clock. */
class ChildTrackerTest {

    private static final int PROCSERV = 100;
    private static final int NEW_PROCSERV = 200;

    /** Live parent of each child PID; absent = the child is already gone. */
    private final Map<Integer, Integer> parents = new HashMap<>();
    private final ChildTracker tracker = new ChildTracker(Duration.ofSeconds(60), Duration.ofSeconds(10),
            pid -> parents.getOrDefault(pid, -1));
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private long offset;
    /** The last child started; a banner() ends it. */
    private int lastChild = -1;

    // ---- a tiny log DSL ----

    private void tick(int seconds) {
        now = now.plusSeconds(seconds);
    }

    private void child(int pid, int parent) {
        parents.put(pid, parent);
        lastChild = pid;
        tracker.accept(new LogEvent.ChildStarted(offset++, pid), now);
    }

    private void childThatDiedAtOnce(int pid) {
        tracker.accept(new LogEvent.ChildStarted(offset++, pid), now);
    }

    private void marker() {
        tracker.accept(new LogEvent.InitComplete(offset++), now);
    }

    /** procServ's death banner for the last child, which is gone by then. */
    private void banner() {
        parents.remove(lastChild);
        tracker.accept(new LogEvent.ChildShuttingDown(offset++), now);
    }

    private void fatal(String line) {
        tracker.accept(new LogEvent.FatalToken(offset++, line), now);
    }

    private void error(String line) {
        tracker.accept(new LogEvent.ErrorToken(offset++, line), now);
    }

    private void unit(String activeState, int mainPid, long nRestarts) {
        boolean running = activeState.equals("active");
        tracker.unitObserved(running, running ? mainPid : 0, nRestarts, now);
    }

    private void active() {
        unit("active", PROCSERV, 0);
    }

    private Readiness readiness() {
        return readiness("active");
    }

    private Readiness readiness(String activeState) {
        return tracker.readiness(true, ActiveState.of(activeState), true, now);
    }

    // ---- plain states ----

    @Test
    void readyWhenTheCurrentChildReportsInitComplete() {
        active();
        child(1, PROCSERV);
        assertEquals(Readiness.STARTING, readiness());
        marker();
        assertEquals(Readiness.READY, readiness());
        assertEquals(1, tracker.childPid());
        assertEquals(0, tracker.childRestarts());
    }

    @Test
    void stoppedWhenTheUnitIsInactiveAndFailedWhenItFailed() {
        unit("inactive", 0, 0);
        assertEquals(Readiness.STOPPED, readiness("inactive"));
        assertEquals(Readiness.STOPPED, readiness("deactivating"));
        assertEquals(Readiness.FAILED, readiness("failed"));
    }

    @Test
    void unknownWhenSystemdIsUnreachableOrTheLogUnreadable() {
        active();
        child(1, PROCSERV);
        marker();
        assertEquals(Readiness.UNKNOWN, tracker.readiness(false, ActiveState.ACTIVE, true, now));
        assertEquals(Readiness.UNKNOWN, tracker.readiness(true, ActiveState.ACTIVE, false, now));
    }

    // ---- FAILED ----

    @Test
    void failedWhenAFatalTokenPrecedesTheMarker() {
        active();
        child(1, PROCSERV);
        fatal("FATAL: cannot open database file db/missing.db");
        assertEquals(Readiness.FAILED, readiness());
        assertEquals("FATAL: cannot open database file db/missing.db", tracker.lastError());
    }

    @Test
    void aChildThatFailsTheSameWayAfterEveryRestartStaysFailed() {
        active();
        child(1, PROCSERV);
        fatal("FATAL: x");
        banner();
        tick(15);
        childThatDiedAtOnce(2);
        assertEquals(Readiness.FAILED, readiness(), "no flicker to STARTING or CRASH_LOOP before the token repeats");
        assertEquals("FATAL: x", tracker.lastError(), "the line that explains FAILED, until the new child logs one");
        fatal("FATAL: x");
        banner();
        assertEquals(Readiness.FAILED, readiness());
    }

    @Test
    void aChildReachingTheMarkerClearsAnEarlierFatalFailure() {
        active();
        child(1, PROCSERV);
        fatal("FATAL: x");
        banner();
        tick(15);
        child(2, PROCSERV);
        marker();
        tick(60);
        assertEquals(Readiness.READY, readiness());
        assertEquals("", tracker.lastError(), "the last error belongs to the current child only");
    }

    @Test
    void aFatalTokenAfterTheMarkerIsOnlyAnError() {
        active();
        child(1, PROCSERV);
        marker();
        fatal("Segmentation fault in a CA client thread");
        assertEquals(Readiness.READY, readiness());
        assertEquals("Segmentation fault in a CA client thread", tracker.lastError());
        error("ERROR: device timeout");
        assertEquals("ERROR: device timeout", tracker.lastError());
    }

    // ---- CRASH_LOOP ----

    @Test
    void oneDeathBeforeInitIsStillStarting() {
        active();
        childThatDiedAtOnce(1);
        banner();
        assertEquals(Readiness.STARTING, readiness());
        assertEquals(-1, tracker.childPid(), "no child is alive");
    }

    @Test
    void twoDeathsBeforeInitWithinTheWindowAreACrashLoop() {
        active();
        childThatDiedAtOnce(1);
        banner();
        tick(15);
        childThatDiedAtOnce(2);
        banner();
        assertEquals(Readiness.CRASH_LOOP, readiness());
        tick(15);
        childThatDiedAtOnce(3);
        assertEquals(Readiness.CRASH_LOOP, readiness(), "a new child that has not reached the marker keeps it");
        assertEquals(2, tracker.childRestarts());
    }

    @Test
    void deathsFurtherApartThanTheWindowAreNoCrashLoop() {
        active();
        childThatDiedAtOnce(1);
        banner();
        tick(61);
        childThatDiedAtOnce(2);
        banner();
        assertEquals(Readiness.STARTING, readiness());
    }

    @Test
    void aCrashLoopBeforeInitEndsWhenAChildReachesTheMarker() {
        active();
        childThatDiedAtOnce(1);
        banner();
        tick(1);
        childThatDiedAtOnce(2);
        banner();
        tick(1);
        child(3, PROCSERV);
        assertEquals(Readiness.CRASH_LOOP, readiness());
        marker();
        assertEquals(Readiness.READY, readiness(), "as in the start verdict, init completing ends a loop before init");
    }

    @Test
    void aCrashLoopDecaysToStartingWhenItsDeathsLeaveTheWindow() {
        active();
        childThatDiedAtOnce(1);
        banner();
        tick(1);
        childThatDiedAtOnce(2);
        banner();
        tick(1);
        child(3, PROCSERV); // hangs before iocInit
        assertEquals(Readiness.CRASH_LOOP, readiness());
        tick(60);
        assertEquals(Readiness.STARTING, readiness());
    }

    @Test
    void aDeathAfterInitIsACrashLoopUntilTheReplacementHasLivedPastItsMarker() {
        active();
        child(1, PROCSERV);
        marker();
        tick(100);
        banner();
        assertEquals(Readiness.CRASH_LOOP, readiness());
        tick(15);
        child(2, PROCSERV);
        marker();
        assertEquals(Readiness.CRASH_LOOP, readiness(), "not settled yet");
        tick(9);
        assertEquals(Readiness.CRASH_LOOP, readiness());
        tick(1);
        assertEquals(Readiness.READY, readiness(), "lived the settle time past its marker");
        assertEquals(1, tracker.childRestarts());
    }

    @Test
    void twoDeathsAfterInitStayACrashLoopUntilTheyLeaveTheWindow() {
        active();
        child(1, PROCSERV);
        marker();
        tick(5);
        banner();
        tick(2);
        child(2, PROCSERV);
        marker();
        tick(20);
        banner();
        tick(2);
        child(3, PROCSERV);
        marker();
        tick(30);
        assertEquals(Readiness.CRASH_LOOP, readiness(), "settled, but two crashes within the window");
        tick(30);
        assertEquals(Readiness.READY, readiness());
    }

    @Test
    void systemdRestartingProcServRepeatedlyIsACrashLoop() {
        unit("active", PROCSERV, 0);
        tick(1);
        tracker.unitObserved(false, 0, 1, now);
        assertEquals(Readiness.STARTING, readiness("activating"));
        tick(2);
        tracker.unitObserved(false, 0, 2, now);
        assertEquals(Readiness.CRASH_LOOP, readiness("activating"));
        tick(61);
        assertEquals(Readiness.STARTING, readiness("activating"));
    }

    // ---- stops and restarts are not crashes ----

    @Test
    void theBannerOfAStopIsNotACrash() {
        active();
        child(1, PROCSERV);
        marker();
        unit("deactivating", PROCSERV, 0); // systemd sends SIGTERM, procServ has not written yet
        banner();
        unit("inactive", 0, 0);
        assertEquals(Readiness.STOPPED, readiness("inactive"));
        tick(5);
        unit("active", NEW_PROCSERV, 0);
        child(2, NEW_PROCSERV);
        assertEquals(Readiness.STARTING, readiness());
        marker();
        assertEquals(Readiness.READY, readiness());
        assertEquals(0, tracker.childRestarts(), "the first child of a run is not a restart");
    }

    @Test
    void aStopsBannerReadBeforeSystemdsStateIsForgiven() {
        active();
        child(1, PROCSERV);
        marker();
        banner(); // read first: looks like a crash after init ...
        assertEquals(Readiness.CRASH_LOOP, readiness());
        unit("inactive", 0, 0); // ... until systemd says the unit was stopped
        tick(2);
        unit("active", NEW_PROCSERV, 0);
        child(2, NEW_PROCSERV);
        marker();
        assertEquals(Readiness.READY, readiness());
    }

    @Test
    void aRestartSeenInTheLogBeforeSystemdReportsItIsNotACrash() {
        active();
        child(1, PROCSERV);
        marker();
        tick(30);
        banner();
        child(2, NEW_PROCSERV); // its parent is a new procServ: the banner was the old one's stop
        marker();
        assertEquals(Readiness.READY, readiness());
        unit("active", NEW_PROCSERV, 0);
        assertEquals(Readiness.READY, readiness(), "systemd confirming the new main PID changes nothing");
        assertEquals(2, tracker.childPid());
        assertEquals(0, tracker.childRestarts());
    }

    @Test
    void aRestartSeenFromSystemdFirstStartsAFreshRun() {
        active();
        childThatDiedAtOnce(1);
        banner();
        tick(1);
        childThatDiedAtOnce(2);
        banner();
        assertEquals(Readiness.CRASH_LOOP, readiness());
        unit("active", NEW_PROCSERV, 0); // restarted by hand: the verdict judges from here
        assertEquals(Readiness.STARTING, readiness());
        child(3, NEW_PROCSERV);
        marker();
        assertEquals(Readiness.READY, readiness());
        assertEquals(1, tracker.childRestarts(), "child 2 was a restart, child 3 the first of the new run");
    }

    // ---- first sight ----

    @Test
    void theBacklogEstablishesTheCurrentChild() {
        parents.put(7, PROCSERV);
        lastChild = 7;
        tracker.acceptBacklog(List.of(
                new LogEvent.ChildStarted(0, 5), new LogEvent.InitComplete(1), new LogEvent.ChildShuttingDown(2),
                new LogEvent.ChildStarted(3, 6), new LogEvent.ChildShuttingDown(4),
                new LogEvent.ChildStarted(5, 7), new LogEvent.InitComplete(6), new LogEvent.ErrorToken(7, "ERROR: x")),
                now.minusSeconds(1), now);
        active();
        assertEquals(Readiness.READY, readiness(), "old deaths carry no time: they do not count");
        assertEquals(7, tracker.childPid());
        assertEquals("ERROR: x", tracker.lastError());
        assertEquals(0, tracker.childRestarts(), "only restarts seen live count");
        tick(30);
        banner();
        tick(15);
        child(8, PROCSERV);
        assertEquals(1, tracker.childRestarts());
    }

    @Test
    void aCrashLoopUnderWayWhenWatchingBeginsIsReportedAtOnce() {
        List<LogEvent> backlog = new ArrayList<>();
        for (int pid = 1; pid <= 3; pid++) {
            backlog.add(new LogEvent.ChildStarted(pid * 2L, pid));
            backlog.add(new LogEvent.ChildShuttingDown(pid * 2L + 1));
        }
        tracker.acceptBacklog(backlog, now.minusSeconds(5), now);
        active();
        assertEquals(Readiness.CRASH_LOOP, readiness());
    }

    @Test
    void anOldCrashLoopInTheBacklogIsNotReported() {
        List<LogEvent> backlog = new ArrayList<>();
        for (int pid = 1; pid <= 3; pid++) {
            backlog.add(new LogEvent.ChildStarted(pid * 2L, pid));
            backlog.add(new LogEvent.ChildShuttingDown(pid * 2L + 1));
        }
        tracker.acceptBacklog(backlog, now.minus(Duration.ofHours(2)), now);
        active();
        assertEquals(Readiness.STARTING, readiness());
    }

    // ---- an orphan procServ writing into the same log ----

    private static final int ORPHAN = 300;

    /** The live run: procServ NEW_PROCSERV (alive) with child 3 past its marker; an orphan procServ lives beside it. */
    private void liveRunBesideAnOrphan() {
        parents.put(NEW_PROCSERV, 1);
        parents.put(ORPHAN, 1);
        parents.put(9, ORPHAN);
        unit("active", NEW_PROCSERV, 0);
        child(3, NEW_PROCSERV);
        marker();
        tick(11);
        assertEquals(Readiness.READY, readiness());
    }

    @Test
    void anOrphansDeathBannerWhileTheLiveChildRunsIsNotTheLiveIocsCrash() {
        liveRunBesideAnOrphan();
        parents.remove(9);
        parents.remove(ORPHAN);
        tracker.accept(new LogEvent.ChildShuttingDown(offset++), now); // the orphan was killed and says so
        assertEquals(Readiness.READY, readiness(), "IOC: READY after only the orphan died");
        tick(61);
        assertEquals(Readiness.READY, readiness(), "IOC: not STARTING for ever after the orphan died");
        assertEquals(3, tracker.childPid());
    }

    @Test
    void anOrphansNewChildAndItsExitAreNotTheLiveIocs() {
        liveRunBesideAnOrphan();
        tracker.accept(new LogEvent.ChildExited(offset++, new ChildExit(9, -1, 9, null)), now);
        parents.put(10, ORPHAN);
        tracker.accept(new LogEvent.ChildStarted(offset++, 10), now); // the orphan restarted its child
        assertEquals(3, tracker.childPid(), "the live IOC's child is still 3");
        assertEquals(0, tracker.childRestarts(), "the orphan's restart is not the live IOC's");
        assertNull(tracker.lastExit(), "the orphan's child exit is not the live IOC's");
        assertEquals(Readiness.READY, readiness());
    }

    @Test
    void aNewChildOfAnotherProcServCountsAsANewRunOnceTheOldProcServIsGone() {
        parents.put(PROCSERV, 1);
        active();
        child(3, PROCSERV);
        marker();
        parents.remove(PROCSERV); // systemd replaced procServ; the agent has not seen the new MainPID yet
        banner();
        child(4, NEW_PROCSERV);
        assertEquals(4, tracker.childPid());
        assertEquals(0, tracker.childRestarts(), "the first child of a new run is no restart");
    }

    // ---- exits, the backlog's run, restarts counted by systemd ----

    @Test
    void exitsReadLiveAreCountedByReasonAndTheLastIsKeptWithItsTime() {
        ChildExit old = new ChildExit(5, 3, 0, null);
        tracker.acceptBacklog(List.of(new LogEvent.ChildStarted(0, 5), new LogEvent.ChildExited(1, old)), null, now);
        assertEquals(old, tracker.lastExit(), "the backlog's last exit is known, without a time");
        assertEquals(Map.of(), tracker.exits(), "backlog exits are not counted");

        parents.put(PROCSERV, 1);
        active();
        child(1, PROCSERV);
        tick(3);
        tracker.accept(new LogEvent.ChildExited(offset++, new ChildExit(1, -1, 11, null)), now);
        assertEquals(new ChildExit(1, -1, 11, now), tracker.lastExit(), "the live child's own exit, dated when read");
        assertEquals(Map.of("signal_SEGV", 1L), tracker.exits());
        banner();
        child(2, PROCSERV);
        tracker.accept(new LogEvent.ChildExited(offset++, new ChildExit(2, 0, 0, null)), now);
        assertEquals(Map.of("signal_SEGV", 1L, "exit_0", 1L), tracker.exits());
    }

    @Test
    void theBacklogsLiveChildNamesTheRunSoAnotherMainPidIsANewRun() {
        parents.put(7, PROCSERV);
        List<LogEvent> backlog = List.of(new LogEvent.ChildStarted(0, 7), new LogEvent.InitComplete(1));
        tracker.acceptBacklog(backlog, now, now);
        unit("active", PROCSERV, 0);
        assertEquals(Readiness.READY, readiness(), "systemd's procServ is the child's parent: the same run");
        assertEquals(7, tracker.childPid());

        ChildTracker other = new ChildTracker(Duration.ofSeconds(60), Duration.ofSeconds(10), pid -> parents.getOrDefault(pid, -1));
        other.acceptBacklog(backlog, now, now);
        other.unitObserved(true, NEW_PROCSERV, 0, now);
        assertEquals(Readiness.STARTING, other.readiness(true, ActiveState.ACTIVE, true, now),
                "another procServ than the child's parent: the backlog's child belongs to an ended run");
        assertEquals(-1, other.childPid());
    }

    @Test
    void aBacklogChildThatIsGoneNamesNoRun() {
        tracker.acceptBacklog(List.of(new LogEvent.ChildStarted(0, 7), new LogEvent.InitComplete(1)), now, now);
        unit("active", NEW_PROCSERV, 0);
        assertEquals(Readiness.READY, readiness(), "no live parent to compare: systemd's procServ starts the run");
        assertEquals(7, tracker.childPid());
    }

    @Test
    void exactlyTwoTrailingDeathsBeforeAnyMarkerInARecentBacklogAreACrashLoop() {
        List<LogEvent> two = List.of(new LogEvent.ChildStarted(0, 1), new LogEvent.ChildShuttingDown(1),
                new LogEvent.ChildStarted(2, 2), new LogEvent.ChildShuttingDown(3));
        tracker.acceptBacklog(two, now.minusSeconds(5), now);
        active();
        assertEquals(Readiness.CRASH_LOOP, readiness());

        ChildTracker undated = new ChildTracker(pid -> -1);
        undated.acceptBacklog(two, null, now);
        undated.unitObserved(true, PROCSERV, 0, now);
        assertEquals(Readiness.STARTING, undated.readiness(true, ActiveState.ACTIVE, true, now), "a log of unknown age proves nothing");
    }

    @Test
    void deathsAfterAMarkerOrBeforeItAreNotTrailingEarlyDeaths() {
        ChildTracker afterMarker = new ChildTracker(pid -> -1);
        afterMarker.acceptBacklog(List.of(new LogEvent.ChildStarted(0, 1), new LogEvent.ChildShuttingDown(1),
                new LogEvent.ChildStarted(2, 2), new LogEvent.InitComplete(3), new LogEvent.ChildShuttingDown(4),
                new LogEvent.ChildStarted(5, 3), new LogEvent.ChildShuttingDown(6)), now.minusSeconds(5), now);
        afterMarker.unitObserved(true, PROCSERV, 0, now);
        assertEquals(Readiness.STARTING, afterMarker.readiness(true, ActiveState.ACTIVE, true, now),
                "the marker resets the count and a death after it is no early death: one early death only");

        ChildTracker oneDeath = new ChildTracker(pid -> -1);
        oneDeath.acceptBacklog(List.of(new LogEvent.ChildShuttingDown(0), new LogEvent.ChildStarted(1, 1),
                new LogEvent.ChildShuttingDown(2)), now.minusSeconds(5), now);
        oneDeath.unitObserved(true, PROCSERV, 0, now);
        assertEquals(Readiness.STARTING, oneDeath.readiness(true, ActiveState.ACTIVE, true, now),
                "a banner before any child is seen is no death of a known child");
    }

    @Test
    void onlyTheRestartsSinceTheLastObservationCount() {
        unit("active", PROCSERV, 5);
        tick(1);
        tracker.unitObserved(false, 0, 6, now);
        assertEquals(Readiness.STARTING, readiness("activating"), "NRestarts 5 -> 6 is one restart");
        tick(1);
        tracker.unitObserved(false, 0, 7, now);
        assertEquals(Readiness.CRASH_LOOP, readiness("activating"), "two restarts within the window");
    }

    @Test
    void aChildMarkedInTheBacklogHasSettledDespiteSystemdsRestarts() {
        parents.put(7, PROCSERV);
        tracker.acceptBacklog(List.of(new LogEvent.ChildStarted(0, 7), new LogEvent.InitComplete(1)), now, now);
        unit("active", PROCSERV, 0);
        tick(1);
        unit("active", PROCSERV, 2);
        assertEquals(Readiness.READY, readiness(), "a marker from the backlog is long past: the child has settled");
    }

    @Test
    void aLateLineOfTheStoppedChildDoesNotMakeTheStopsBannerACrash() {
        active();
        child(1, PROCSERV);
        marker();
        tick(20);
        unit("deactivating", PROCSERV, 0);
        marker(); // read after systemd's stop began: a line of the child being stopped
        banner();
        tick(2);
        unit("active", NEW_PROCSERV, 0);
        assertEquals(Readiness.STARTING, readiness(), "the banner was the stop's, not a crash after init");
    }
}
