package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The crash-loop clauses of the readiness rule over the crash window, bounded and forgetting. */
class CrashHistoryTest {

    private static final Duration W = Duration.ofSeconds(60);
    private final CrashHistory history = new CrashHistory(W);
    private final Instant t0 = Instant.parse("2026-12-03T12:00:00Z");

    @Test
    void twoEarlyDeathsAreALoopOnlyUntilTheCurrentChildReachesItsMarker() {
        history.died(t0, false);
        assertFalse(history.crashLoop(false, false), "one early death is no loop");
        history.died(t0.plusSeconds(1), false);
        assertTrue(history.crashLoop(false, false), "two early deaths and no marker since: a loop");
        assertFalse(history.crashLoop(true, false), "the current child reached its marker: no early-death loop");
    }

    @Test
    void oneLateDeathIsALoopUntilTheNextChildSettles() {
        history.died(t0, true);
        assertTrue(history.crashLoop(true, false), "a death after init and the next child not settled");
        assertFalse(history.crashLoop(true, true), "the next child settled");
        history.died(t0.plusSeconds(1), true);
        assertTrue(history.crashLoop(true, true), "two deaths after init are a loop even when settled");
    }

    @Test
    void deathsOlderThanTheWindowExpire() {
        history.died(t0, true);
        history.died(t0.plusSeconds(1), true);
        assertTrue(history.crashLoop(true, true), "two deaths after init within W");
        history.expire(t0.plus(W).plusSeconds(1));
        assertFalse(history.crashLoop(true, true), "the first death is older than W: one is left");
        assertTrue(history.crashLoop(true, false), "the second death is still within W");
        history.expire(t0.plus(W).plusSeconds(2));
        assertFalse(history.crashLoop(true, false), "both deaths are older than W");
    }

    @Test
    void risingNRestartsCountsFromTheSecondReadAndAreNotForgottenWithTheDeaths() {
        history.nRestarts(5, t0);
        assertFalse(history.restartsLoop(), "the first NRestarts read is a baseline, not restarts");
        history.nRestarts(7, t0.plusSeconds(1));
        assertTrue(history.restartsLoop(), "two restarts within W");
        history.forgetDeaths();
        assertTrue(history.crashLoop(true, false), "a new run forgets deaths, not systemd's restarts");
        assertFalse(history.crashLoop(true, true), "restarts alone clear once the child settles");
        history.expire(t0.plus(W).plusSeconds(2));
        assertFalse(history.restartsLoop(), "restarts older than W expire");
    }

    @Test
    void aBacklogEndingInEarlyDeathsCountsOnlyWhenWrittenWithinTheWindow() {
        history.backlogEndedIn(3, t0.minus(W).minusSeconds(1), t0);
        assertFalse(history.crashLoop(false, false), "a log last written before W: its deaths are history");
        history.backlogEndedIn(1, t0, t0);
        assertFalse(history.crashLoop(false, false), "one trailing death is no loop");
        history.backlogEndedIn(2, null, t0);
        assertFalse(history.crashLoop(false, false), "no write time: the deaths cannot be dated");
        history.backlogEndedIn(2, t0.minusSeconds(5), t0);
        assertTrue(history.crashLoop(false, false), "a loop under way when watching began");
    }

    @Test
    void theHistoryIsBoundedSoAFloodOfOldDeathsCannotOutliveTheWindow() {
        for (int i = 0; i < 1000; i++) {
            history.died(t0, false);
        }
        history.died(t0.plus(W), true);
        history.expire(t0.plus(W).plusSeconds(1));
        assertTrue(history.crashLoop(true, false), "the late death within W is kept");
        assertFalse(history.crashLoop(true, true), "the flood of early deaths has expired");
        history.nRestarts(0, t0);
        history.nRestarts(Long.MAX_VALUE, t0);
        assertTrue(history.restartsLoop(), "a huge NRestarts jump counts, bounded");
    }
}
