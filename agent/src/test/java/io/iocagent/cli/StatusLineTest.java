package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.ops.Progress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The status line of long waits: what it says, how it fits, and that it never reaches a pipe. */
class StatusLineTest {

    @Test
    void saysWhatIsWaitedForWithTheSecondsSoFarAndTheLimit() {
        assertEquals("| systemd's start job for epics-@a.service (3s)",
                StatusLine.render('|', "systemd's start job for epics-@a.service", Duration.ofMillis(3900), Duration.ZERO, 80));
        assertEquals("/ 'All initialization complete' in /l/a.log (12s of 30s)",
                StatusLine.render('/', "'All initialization complete' in /l/a.log", Duration.ofSeconds(12),
                        Duration.ofSeconds(30), 80));
    }

    @Test
    void aLongTextIsCutInTheMiddleToFitOneColumnLessThanTheTerminal() {
        String path = "'All initialization complete' in /home/someone/.local/state/procserv/" + "x".repeat(200) + "/ioc.log";
        for (int width : new int[] {80, 40, 120, 10, 1}) {
            String line = StatusLine.render('-', path, Duration.ofSeconds(5), Duration.ofSeconds(30), width);
            assertTrue(line.length() <= Math.max(0, width - 1), width + " columns: '" + line + "' (" + line.length() + ")");
            if (width >= 40) {
                assertTrue(line.endsWith("/ioc.log (5s of 30s)") && line.contains("..."), line);
                assertTrue(line.startsWith("- 'All initia"), line);
            }
        }
    }

    @Test
    void controlCharactersInTheTextNeverReachTheTerminal() {
        String line = StatusLine.render('|', "job for \u001b]0;owned\u0007x\nnext", Duration.ZERO, Duration.ZERO, 80);
        assertFalse(line.chars().anyMatch(Character::isISOControl), line);
    }

    @Test
    void onATerminalTheLineIsDrawnErasedBeforeEveryOutputLineAndAtTheEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StdTerminal t = new StdTerminal(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, false, 80);
        try (Progress p = t.progress()) {
            p.waitingFor("systemd's start job for u", Duration.ZERO);
            t.err("Warning: something");
            p.waitingFor("the marker", Duration.ofSeconds(30));
        }
        t.out("IOC 'a' successfully started.");
        String e = err.toString(StandardCharsets.UTF_8);
        // Redraws by the ticker may come between the steps on a slow machine: one or more of each.
        String erase = "\r\033\\[K";
        assertTrue(e.matches("(" + erase + "[|/\\-\\\\] systemd's start job for u \\(\\d+s\\))+"
                + erase + "Warning: something\n"
                + "(" + erase + "[|/\\-\\\\] the marker \\(\\d+s of 30s\\))+" + erase), e);
        assertEquals("IOC 'a' successfully started.\n", out.toString(StandardCharsets.UTF_8), "stdout carries no status line");
    }

    @Test
    void withoutATerminalThereIsNoStatusLineAtAll() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StdTerminal t = new StdTerminal(new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, false);
        assertSame(Progress.NONE, t.progress());
        t.err("x");
        assertEquals("x\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theWidthComesFromColumnsWhenItIsANumberElse80() {
        assertEquals(132, StdTerminal.columns("132"));
        assertEquals(80, StdTerminal.columns(null));
        assertEquals(80, StdTerminal.columns("wide"));
        assertEquals(80, StdTerminal.columns("0"));
        assertEquals(80, StdTerminal.columns("99999999999"));
    }
}
