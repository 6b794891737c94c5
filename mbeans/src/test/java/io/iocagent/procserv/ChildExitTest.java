package io.iocagent.procserv;

import io.iocagent.crash.ChildExit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildExitTest {

    @Test
    void aSignalDeathNamesTheSignal() {
        ChildExit e = ChildExit.parse("@@@ Received a sigChild for process 6597. The process was killed by signal 11",
                null).orElseThrow();
        assertEquals(6597, e.pid());
        assertEquals("signal_SEGV", e.reason());
        assertEquals("killed by signal SEGV (11)", e.describe());
        assertEquals("signal_KILL", ChildExit.parse("@@@ Received a sigChild for process 1. The process was killed by signal 9",
                null).orElseThrow().reason());
    }

    @Test
    void aNormalExitGivesItsStatusEvenBehindALogstamp() {
        ChildExit e = ChildExit.parse("[2026-11-24T01:48:24] @@@ Received a sigChild for process 42. Normal exit status = 3",
                null).orElseThrow();
        assertEquals("exit_3", e.reason());
        assertEquals("exited with status 3", e.describe());
    }

    @Test
    void reasonsStayBoundedWhateverTheLogSays() {
        assertEquals("other", ChildExit.parse("@@@ Received a sigChild for process 1. Normal exit status = 99999", null)
                .orElseThrow().reason());
        assertEquals("other", ChildExit.parse("@@@ Received a sigChild for process 1. Normal exit status = -1", null)
                .orElseThrow().reason());
        assertEquals("other", ChildExit.parse("@@@ Received a sigChild for process 1. The process was killed by signal 999",
                null).orElseThrow().reason());
        assertEquals("signal_RTMIN+2", ChildExit.parse(
                "@@@ Received a sigChild for process 1. The process was killed by signal 36", null).orElseThrow().reason());
        assertEquals(Optional.empty(), ChildExit.parse("@@@ Received a sigChild for process 99999999999999. Normal exit status = 1", null));
        assertEquals(Optional.empty(), ChildExit.parse("echo Received a sigChild for process", null));
    }

    @Test
    void theLogReaderReportsEachExitAsAnEvent(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("x.log");
        Files.writeString(log, "\r\n@@@ @@@ @@@ @@@ @@@\r\n@@@ Received a sigChild for process 10686. The process was killed by signal 9\r\n"
                + "@@@ Current time: 2026-11-24T01:48:24\r\n", StandardCharsets.ISO_8859_1);
        List<LogEvent> events = new LogReader(log, LogPosition.MISSING, Optional.empty()).poll().events();
        List<LogEvent.ChildExited> exits = events.stream().filter(LogEvent.ChildExited.class::isInstance)
                .map(LogEvent.ChildExited.class::cast).toList();
        assertEquals(1, exits.size(), events.toString());
        assertEquals("signal_KILL", exits.get(0).exit().reason());
        assertTrue(exits.get(0).offset() > 0);
    }
}
