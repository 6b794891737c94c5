package io.iocagent.procserv;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StartupSignalsTest {

    private static final LogEvent INIT = new LogEvent.InitComplete(0);
    private static final LogEvent DEATH = new LogEvent.ChildShuttingDown(0);
    private static final LogEvent FATAL = new LogEvent.FatalToken(0, "FATAL");
    private static final LogEvent ERROR = new LogEvent.ErrorToken(0, "ERROR");

    private static StartupSignals fed(int allowance, LogEvent... events) {
        StartupSignals s = new StartupSignals(allowance);
        s.acceptAll(List.of(events));
        return s;
    }

    @Test
    void fatalBeforeInitFailsButFatalAfterInitOnlyCorroborates() {
        assertTrue(fed(0, FATAL).fatalBeforeInit());
        StartupSignals after = fed(0, INIT, FATAL);
        assertFalse(after.fatalBeforeInit());
        assertTrue(after.errorsAfterInit());
    }

    @Test
    void twoDeathsBeforeInitAreACrashLoopButARestartForgivesItsOwnTeardown() {
        assertFalse(fed(0, DEATH).crashLoopBeforeInit());
        assertTrue(fed(0, DEATH, DEATH).crashLoopBeforeInit());
        assertFalse(fed(1, DEATH, DEATH).crashLoopBeforeInit());
        assertTrue(fed(1, DEATH, DEATH, DEATH).crashLoopBeforeInit());
    }

    @Test
    void aDeathAfterInitIsACrash() {
        assertTrue(fed(0, INIT, DEATH).diedAfterInit());
        assertFalse(fed(0, DEATH, INIT).diedAfterInit());
    }

    @Test
    void errorsBeforeInitDoNotCountAsErrorsAfterInit() {
        assertFalse(fed(0, ERROR, INIT).errorsAfterInit());
        assertTrue(fed(0, INIT, ERROR).errorsAfterInit());
    }

    @Test
    void theAlreadyRunningFastPathNeedsAnInitNotFollowedByADeath() {
        assertTrue(StartupSignals.intactSinceLastInit(List.of(DEATH, INIT)));
        assertFalse(StartupSignals.intactSinceLastInit(List.of(INIT, DEATH)));
        assertTrue(StartupSignals.intactSinceLastInit(List.of(INIT, DEATH, INIT)));
        assertFalse(StartupSignals.intactSinceLastInit(List.of()));
    }
}
