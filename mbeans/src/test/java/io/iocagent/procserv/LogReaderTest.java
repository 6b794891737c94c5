package io.iocagent.procserv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReaderTest {

    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("x.log");
    }

    private void append(String text) throws IOException {
        Files.writeString(log(), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static <T> List<T> only(List<LogEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void turnsProcServLinesIntoTypedEventsWithByteOffsets() throws IOException {
        String start = "@@@ Restarting child \"x\"\r\n@@@    (as ./st.cmd)\r\n@@@ The PID of new child \"x\" is: 4242\r\n";
        append(start + "iocRun: All initialization complete\r\nepics> @@@ Current time: now\r\n"
                + "@@@ Child process is shutting down, a new one will be restarted shortly\r\n");
        LogReader reader = new LogReader(log(), LogPosition.MISSING, Optional.empty());
        List<LogEvent> events = reader.poll().events();
        assertEquals(List.of(4242), only(events, LogEvent.ChildStarted.class).stream().map(LogEvent.ChildStarted::pid).toList());
        assertEquals(start.length(), only(events, LogEvent.InitComplete.class).get(0).offset());
        assertEquals(1, only(events, LogEvent.ChildShuttingDown.class).size());
        assertEquals(Files.size(log()), reader.position().offset());
    }

    @Test
    void classifiesFatalAndCorroboratingTokensButNotTheHistoryPermissionLine() throws IOException {
        append("FATAL: no db\nERROR: device timeout\ndevice_nonfatal=ready\n"
                + "\u001b[31mERROR Permission denied (13) loading '/ioc/.iocsh_history'\u001b[0m\n"
                + "motor axis fault\n");
        List<LogEvent> events = new LogReader(log(), LogPosition.MISSING, Optional.of(Pattern.compile("axis fault")))
                .poll().events();
        assertEquals(List.of("FATAL: no db"), only(events, LogEvent.FatalToken.class).stream().map(LogEvent.FatalToken::line).toList());
        assertEquals(List.of("ERROR: device timeout", "motor axis fault"),
                only(events, LogEvent.ErrorToken.class).stream().map(LogEvent.ErrorToken::line).toList());
    }

    @Test
    void procServsOwnMessagesQuotingTheIocNameAreNotCrashTokens() throws IOException {
        append("@@@ Restarting child \"fatal-error-ioc\"\r\n@@@ The PID of new child \"fatal-error-ioc\" is: 7\r\n"
                + "epics> @@@ Child \"fatal-error-ioc\" PID: 7\r\nERROR: real output\r\n");
        List<LogEvent> events = new LogReader(log(), LogPosition.MISSING, Optional.empty()).poll().events();
        assertEquals(List.of(), only(events, LogEvent.FatalToken.class));
        assertEquals(List.of("ERROR: real output"),
                only(events, LogEvent.ErrorToken.class).stream().map(LogEvent.ErrorToken::line).toList());
    }

    @Test
    void anIncompleteLastLineWaitsForItsNewline() throws IOException {
        append("iocRun: All initial");
        LogReader reader = new LogReader(log(), LogPosition.MISSING, Optional.empty());
        assertTrue(reader.poll().events().isEmpty());
        assertEquals(0, reader.position().offset());
        append("ization complete\n");
        assertInstanceOf(LogEvent.InitComplete.class, reader.poll().events().get(0));
    }

    @Test
    void historyBeforeTheBaselineIsIgnored() throws IOException {
        append("FATAL: from last week\n");
        LogReader reader = new LogReader(log(), LogReader.endOf(LogFile.anyOwner(log())), Optional.empty());
        append("iocRun: All initialization complete\n");
        List<LogEvent> events = reader.poll().events();
        assertEquals(1, events.size());
        assertInstanceOf(LogEvent.InitComplete.class, events.get(0));
    }

    @Test
    void copytruncateRestartsFromTheBeginningAndSeesTheNewFatal() throws IOException {
        append("x".repeat(200) + "\n");
        LogReader reader = new LogReader(log(), LogReader.endOf(LogFile.anyOwner(log())), Optional.empty());
        try (FileChannel ch = FileChannel.open(log(), StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        append("FATAL: after truncate\n");
        LogReader.Batch batch = reader.poll();
        assertTrue(batch.restarted());
        assertEquals(1, only(batch.events(), LogEvent.FatalToken.class).size());
    }

    @Test
    void aNewInodeThatGrewPastTheOldOffsetIsReadFromTheStart() throws IOException {
        append("old\n");
        LogReader reader = new LogReader(log(), LogReader.endOf(LogFile.anyOwner(log())), Optional.empty());
        Files.move(log(), dir.resolve("x.log.1"));
        append("y".repeat(100) + "\nFATAL: in the new file\n");
        LogReader.Batch batch = reader.poll();
        assertTrue(batch.restarted());
        assertEquals(1, only(batch.events(), LogEvent.FatalToken.class).size());
    }

    @Test
    void linesWrittenIntoALogRenamedAwayBeforeTheReopenAreReadFirst() throws IOException {
        append("@@@ The PID of new child \"x\" is: 41\r\niocRun: All initialization complete\r\n");
        LogReader reader = new LogReader(log(), LogPosition.MISSING, Optional.empty());
        assertEquals(2, reader.poll().events().size());
        Files.move(log(), dir.resolve("x.log.1")); // logrotate's create mode
        Files.writeString(dir.resolve("x.log.1"), "@@@ Received a sigChild for process 41. The process was killed by signal 9\r\n"
                + "@@@ Child process is shutting down, a new one will be restarted shortly\r\n", StandardOpenOption.APPEND);
        Files.writeString(dir.resolve("x.log.2.gz"), "older rotation, another inode");
        append("@@@ The PID of new child \"x\" is: 42\r\n"); // procServ reopened the path on SIGHUP
        LogReader.Batch batch = reader.poll();
        assertTrue(batch.restarted());
        assertEquals(List.of(LogEvent.ChildExited.class, LogEvent.ChildShuttingDown.class, LogEvent.ChildStarted.class),
                batch.events().stream().map(Object::getClass).toList(),
                "the death procServ wrote into the renamed log, then the new child: " + batch.events());
        assertEquals(41, only(batch.events(), LogEvent.ChildExited.class).get(0).exit().pid());
        assertEquals(List.of(), reader.poll().events(), "nothing is read twice");
    }

    @Test
    void aRenamedLogIsReadOnUntilProcServWritesIntoTheNewOne() throws IOException {
        Path old = dir.resolve("x.log.1");
        append("@@@ The PID of new child \"x\" is: 41\r\n");
        LogReader reader = new LogReader(log(), LogPosition.MISSING, Optional.empty());
        reader.poll();
        Files.move(log(), old);
        Files.createFile(log()); // logrotate create: a new empty file, procServ not told yet
        assertEquals(List.of(), reader.poll().events());
        Files.writeString(old, "@@@ Child process is shutting down, a new one will be restarted shortly\r\n",
                StandardOpenOption.APPEND);
        assertEquals(List.of(LogEvent.ChildShuttingDown.class),
                reader.poll().events().stream().map(Object::getClass).toList(), "the death in the renamed file");
        append("@@@ The PID of new child \"x\" is: 42\r\n"); // SIGHUP: procServ writes into the new file
        assertEquals(List.of(LogEvent.ChildStarted.class), reader.poll().events().stream().map(Object::getClass).toList());
        Files.writeString(old, "FATAL: written by someone else later\n", StandardOpenOption.APPEND);
        assertEquals(List.of(), reader.poll().events(), "once procServ writes the new file the old one is let go");
    }

    @Test
    void aRenamedLogThatChangedBeforeTheOffsetIsNotReadAgain() throws IOException {
        append("first line\n");
        LogReader reader = new LogReader(log(), LogPosition.MISSING, Optional.empty());
        reader.poll();
        Files.move(log(), dir.resolve("x.log.1"));
        Files.writeString(dir.resolve("x.log.1"), "FATAL: rewritten\nFATAL: more\n");
        append("new\n");
        assertEquals(List.of(), only(reader.poll().events(), LogEvent.FatalToken.class),
                "a renamed file that is not what was read is left alone");
    }

    @Test
    void sameInodeTruncatedAndRegrownPastTheOffsetIsDetectedByTheTailHash() throws IOException {
        append("a".repeat(100) + "\n");
        LogReader reader = new LogReader(log(), LogReader.endOf(LogFile.anyOwner(log())), Optional.empty());
        try (FileChannel ch = FileChannel.open(log(), StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        append("b".repeat(150) + "\nFATAL: regrown\n");
        LogReader.Batch batch = reader.poll();
        assertTrue(batch.restarted());
        assertEquals(1, only(batch.events(), LogEvent.FatalToken.class).size());
    }

    @Test
    void plainAppendsAreNotMistakenForRotation() throws IOException {
        append("one\n");
        LogReader reader = new LogReader(log(), LogPosition.MISSING, Optional.empty());
        reader.poll();
        append("two\n");
        assertFalse(reader.poll().restarted());
    }

    @Test
    void aMissingFileIsNotAnErrorAndIsReadOnceItAppears() throws IOException {
        LogReader reader = new LogReader(log(), LogReader.endOf(LogFile.anyOwner(log())), Optional.empty());
        assertTrue(reader.poll().events().isEmpty());
        append("iocRun: All initialization complete\n");
        assertEquals(1, reader.poll().events().size());
    }

    @Test
    void aLargeBacklogIsReadCompletelyAcrossSlices() throws IOException {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 60_000; i++) {
            big.append("line ").append(i).append(" of filler text for the log\n");
        }
        big.append("iocRun: All initialization complete\n");
        append(big.toString());
        List<LogEvent> events = new LogReader(log(), LogPosition.MISSING, Optional.empty()).poll().events();
        assertEquals(1, only(events, LogEvent.InitComplete.class).size());
    }

    /** Polls until a poll no longer opens the file (its change time has become old enough to trust); fails after 20 s. */
    private static void pollUntilSettled(LogReader reader) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (true) {
            long before = reader.opened();
            assertEquals(List.of(), reader.poll().events(), "nothing was written, so a poll finds nothing");
            if (reader.opened() == before) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("every poll still opened a log last changed more than 20 s ago");
            }
            Thread.sleep(50);
        }
    }

    /** A reader that has read {@code text}, the whole log, and found the log settled since. */
    private LogReader settledReaderOf(String text) throws Exception {
        append(text);
        LogReader reader = new LogReader(log(), LogPosition.MISSING, Optional.empty());
        reader.poll();
        pollUntilSettled(reader);
        return reader;
    }

    @Test
    void aLogUnchangedSinceItWasReadToItsEndIsNotOpenedAgain() throws Exception {
        append("iocRun: All initialization complete\n");
        LogReader reader = new LogReader(log(), LogPosition.MISSING, Optional.empty());
        assertEquals(1, reader.poll().events().size());
        pollUntilSettled(reader);
        long opened = reader.opened();
        for (int i = 0; i < 5; i++) {
            assertTrue(reader.poll().events().isEmpty());
        }
        assertEquals(opened, reader.opened(), "polls of a settled, unchanged log must not open it");
        append("FATAL: after the quiet\n");
        assertEquals(1, only(reader.poll().events(), LogEvent.FatalToken.class).size(), "an append is read at once");
        assertEquals(opened + 1, reader.opened());
    }

    @Test
    void aSettledLogRewrittenInPlaceToTheSameSizeWithItsOldMtimeIsStillReadAgain() throws Exception {
        LogReader reader = settledReaderOf("a".repeat(40) + "\n");
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(log());
        try (FileChannel ch = FileChannel.open(log(), StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        append("FATAL: same size " + "b".repeat(23) + "\n");
        Files.setLastModifiedTime(log(), mtime);
        assertEquals(41, Files.size(log()), "the test rewrites the log to its old size");
        LogReader.Batch batch = reader.poll();
        assertTrue(batch.restarted(), "a rewrite keeps size and mtime but not the change time");
        assertEquals(1, only(batch.events(), LogEvent.FatalToken.class).size());
    }

    @Test
    void aSettledLogReplacedByALinkOfTheSameSizeIsRefusedNotSkipped() throws Exception {
        LogReader reader = settledReaderOf("x".repeat(40) + "\n");
        Path other = Files.writeString(dir.resolve("secret"), "FATAL: not this IOC's " + "s".repeat(18) + "\n");
        Files.delete(log());
        Files.createSymbolicLink(log(), other);
        LogFile.NotReadableException refused = org.junit.jupiter.api.Assertions.assertThrows(
                LogFile.NotReadableException.class, reader::poll);
        assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
    }
}
