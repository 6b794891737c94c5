package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.iocagent.crash.ChildExit;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The last child exit and the live exits counted by reason, including deaths procServ could not log. */
class ChildExitsTest {

    private final ChildExits exits = new ChildExits();
    private final Instant now = Instant.parse("2026-12-03T12:00:00Z");

    @Test
    void backlogExitsAreKeptAsTheLastButNotCounted() {
        assertNull(exits.last(), "no exit read yet");
        exits.logged(new ChildExit(7, 1, 0, null), null);
        assertEquals(new ChildExit(7, 1, 0, null), exits.last());
        assertEquals(Map.of(), exits.byReason(), "an exit from the backlog happened before watching began");
    }

    @Test
    void liveExitsAreDatedAndCountedByReason() {
        exits.logged(new ChildExit(7, 1, 0, null), now);
        exits.logged(new ChildExit(8, -1, 9, null), now);
        exits.logged(new ChildExit(9, 1, 0, null), now);
        assertEquals(new ChildExit(9, 1, 0, now), exits.last(), "dated when read");
        assertEquals(Map.of("exit_1", 2L, "signal_KILL", 1L), exits.byReason());
    }

    @Test
    void anUnloggedDeathLoggedLaterCountsOnceUnderItsRealReason() {
        exits.unlogged(7, now);
        assertEquals(Map.of("unknown", 1L), exits.byReason());
        exits.logged(new ChildExit(7, -1, 11, null), now.plusSeconds(1));
        assertEquals(Map.of("signal_SEGV", 1L), exits.byReason(), "procServ's line came after all: counted once");
    }

    @Test
    void anUnloggedDeathStaysCountedWhenAnotherChildsExitIsLogged() {
        exits.unlogged(7, now);
        exits.logged(new ChildExit(8, 0, 0, null), now);
        assertEquals(Map.of("unknown", 1L, "exit_0", 1L), exits.byReason());
    }

    @Test
    void theCountsAreACopy() {
        exits.logged(new ChildExit(7, 1, 0, null), now);
        Map<String, Long> before = exits.byReason();
        exits.logged(new ChildExit(8, 1, 0, null), now);
        assertEquals(Map.of("exit_1", 1L), before, "a caller's copy does not change");
    }
}
