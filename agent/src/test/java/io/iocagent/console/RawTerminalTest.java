package io.iocagent.console;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.posix.Posix;
import io.iocagent.posix.RawTerminal;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link RawTerminal} off a terminal; on one, see {@link RawTerminalIT}. */
class RawTerminalTest {

    @Test
    void enterLeavesStdinAloneWhenItIsNotATerminal() {
        Assumptions.assumeFalse(Posix.isTerminal(0), "stdin is a terminal here");
        assertTrue(RawTerminal.enter().isEmpty());
    }
}
