package io.iocagent.model;

import io.iocagent.systemd.ActiveState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.crash.ChildExit;
import io.iocagent.procserv.LogEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deaths procServ could not log (its log directory full): the poll's look at the child's process
 * ({@link ChildTracker#childChecked}) counts them once, follows the next child, and never takes a
 * death that is merely on its way to the log, nor a stop, for one.
 */
class ChildTrackerUnloggedTest {

    private static final int PROCSERV = 100;

    /** Live parent of each PID; absent = gone. */
    private final Map<Integer, Integer> parents = new HashMap<>();
    private final ChildTracker tracker = new ChildTracker(Duration.ofSeconds(60), Duration.ofSeconds(10),
            pid -> parents.getOrDefault(pid, -1));
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private long offset;
    /** procServ's next child, as {@code childOf} finds it among the unit's processes; -1: none. */
    private int nextChild = -1;

    @BeforeEach
    void aReadyChildUnderALiveProcServ() {
        parents.put(PROCSERV, 1);
        tracker.unitObserved(true, PROCSERV, 0, now);
        parents.put(10, PROCSERV);
        tracker.accept(new LogEvent.ChildStarted(offset++, 10), now);
        tracker.accept(new LogEvent.InitComplete(offset++), now);
        now = now.plusSeconds(30);
        assertEquals(Readiness.READY, readiness());
    }

    private boolean poll() {
        now = now.plusSeconds(5);
        return tracker.childChecked(now, procServ -> procServ == PROCSERV ? nextChild : -1);
    }

    private Readiness readiness() {
        return tracker.readiness(true, ActiveState.ACTIVE, true, now);
    }

    @Test
    void aChildGoneOnTwoPollsWithoutABannerCountsOnceAsAnUnknownExitAndTheNextChildIsFollowed() {
        parents.remove(10);
        parents.put(11, PROCSERV);
        nextChild = 11;
        assertFalse(poll(), "gone once: the banner may still come");
        assertEquals(10, tracker.childPid());
        assertTrue(poll(), "gone twice without a banner: an unlogged death");
        assertEquals(11, tracker.childPid(), "the next child is followed by its process");
        assertEquals(1, tracker.childRestarts());
        assertEquals(ChildExit.unlogged(10, now), tracker.lastExit());
        assertEquals("unknown", tracker.lastExit().reason());
        assertEquals("child 10 ended, how is not known (procServ could not log it)", tracker.lastExit().summary());
        assertEquals(Map.of("unknown", 1L), tracker.exits());
        assertEquals(Readiness.CRASH_LOOP, readiness(), "a death after init, and the next child's marker not read");
        assertFalse(poll(), "the followed child lives: nothing more");
        assertEquals(1, tracker.childRestarts());

        // Room again: the log shows the followed child's start late; it is the same child, not another restart.
        tracker.accept(new LogEvent.ChildStarted(offset++, 11), now);
        assertEquals(1, tracker.childRestarts());
        tracker.accept(new LogEvent.InitComplete(offset++), now);
        now = now.plusSeconds(61);
        assertEquals(Readiness.READY, readiness());
    }

    @Test
    void aBannerReadBetweenTheTwoPollsIsTheDeathAndNothingIsAddedByThePoll() {
        parents.remove(10);
        assertFalse(poll());
        tracker.accept(new LogEvent.ChildShuttingDown(offset++), now);
        tracker.accept(new LogEvent.ChildExited(offset++, new ChildExit(10, -1, 9, null)), now);
        assertFalse(poll(), "procServ logged it: no unlogged death");
        assertEquals(Map.of("signal_KILL", 1L), tracker.exits());
    }

    @Test
    void theLoggedExitOfAChildTakenAsUnloggedReplacesItAndIsCountedOnce() {
        parents.remove(10);
        poll();
        poll();
        tracker.accept(new LogEvent.ChildExited(offset++, new ChildExit(10, 3, 0, null)), now);
        assertEquals(Map.of("exit_3", 1L), tracker.exits(), "the unknown exit became known");
        assertEquals("exit_3", tracker.lastExit().reason());
    }

    @Test
    void aDeadProcServOrAStoppedUnitIsNoUnloggedDeath() {
        parents.remove(10);
        parents.remove(PROCSERV);
        assertFalse(poll());
        assertFalse(poll(), "procServ itself is gone: systemd's state will tell");
        parents.put(PROCSERV, 1);
        tracker.unitObserved(false, 0, 0, now);
        assertFalse(poll());
        assertFalse(poll(), "a stopped unit has no child to lose");
        assertEquals(Map.of(), tracker.exits());
    }

    @Test
    void aChildStartedUnloggedAfterALoggedDeathIsFollowedOnTheSecondPollAndItsLateStartLineAddsNothing() {
        parents.remove(10);
        tracker.accept(new LogEvent.ChildShuttingDown(offset++), now); // logged; then the disk filled up
        assertEquals(-1, tracker.childPid());
        assertFalse(poll(), "no child yet (procServ's holdoff)");
        parents.put(12, PROCSERV);
        nextChild = 12;
        assertFalse(poll(), "seen once: its start line may be on its way");
        assertTrue(poll(), "seen twice without a start line: followed");
        assertEquals(12, tracker.childPid());
        assertEquals(1, tracker.childRestarts());
        tracker.accept(new LogEvent.ChildStarted(offset++, 12), now);
        assertEquals(1, tracker.childRestarts(), "the late start line of the followed child is no second restart");
        assertEquals(Map.of(), tracker.exits(), "no exit line was read, none is made up for a logged banner");
    }

    @Test
    void aStartLineReadBetweenTheTwoPollsIsTheChildAndNothingIsAddedByThePoll() {
        parents.remove(10);
        tracker.accept(new LogEvent.ChildShuttingDown(offset++), now);
        parents.put(12, PROCSERV);
        nextChild = 12;
        assertFalse(poll());
        tracker.accept(new LogEvent.ChildStarted(offset++, 12), now);
        assertFalse(poll());
        assertEquals(1, tracker.childRestarts());
        assertEquals(12, tracker.childPid());
    }

    @Test
    void aChildThatComesBackAliveBetweenPollsResetsTheWatch() {
        parents.remove(10);
        assertFalse(poll());
        parents.put(10, PROCSERV); // /proc read failed once, the child is there
        assertFalse(poll());
        parents.remove(10);
        assertFalse(poll(), "gone again counts from one");
        assertEquals(Map.of(), tracker.exits());
    }
}
