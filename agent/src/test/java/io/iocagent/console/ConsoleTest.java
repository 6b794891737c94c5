package io.iocagent.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.ops.OperationException;
import io.iocagent.testbed.RecordingTerminal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attach and monitor sessions against a fake procServ, with a fake keyboard and screen. */
class ConsoleTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final IocName NAME = new IocName("ioc1");
    private static final String DETACHED = "\r\nDetached from ioc1.";
    private static final String CLOSED = "\r\nConnection closed by the IOC (procServ stopped or the console was closed).";

    @TempDir
    Path dir;

    private Path socket;
    private FakeProcServ procServ;
    private final Keyboard keyboard = new Keyboard();
    private final Screen screen = new Screen();

    @BeforeEach
    void startProcServ() throws IOException {
        socket = dir.resolve("control");
        procServ = new FakeProcServ(socket);
    }

    @AfterEach
    void stopProcServ() throws IOException {
        keyboard.hangUp();
        procServ.close();
    }

    private Console client(RecordingTerminal t, Map<String, String> env) throws OperationException {
        return new Console(t, env, keyboard, screen, Optional::empty);
    }

    private CompletableFuture<Integer> attach(RecordingTerminal t) throws OperationException {
        Console c = client(t, Map.of());
        return CompletableFuture.supplyAsync(() -> call(() -> c.attach(NAME, socket)));
    }

    private CompletableFuture<Integer> monitor(RecordingTerminal t) throws OperationException {
        Console c = client(t, Map.of());
        return CompletableFuture.supplyAsync(() -> call(() -> c.monitor(NAME, socket)));
    }

    private interface Session {
        int run() throws OperationException;
    }

    private static int call(Session s) {
        try {
            return s.run();
        } catch (OperationException e) {
            throw new IllegalStateException(e.fullText(), e);
        }
    }

    private static int exit(CompletableFuture<Integer> session) throws Exception {
        return session.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void attachPrintsTheSeedHeaderThenIocOutputWithoutTelnetBytes() throws Exception {
        RecordingTerminal t = RecordingTerminal.unprompted();
        CompletableFuture<Integer> session = attach(t);
        screen.await("(plus you)\r\n", WAIT);
        procServ.send("epics> ");
        screen.await("epics> ", WAIT);
        assertEquals(List.of("Attaching to ioc1 via built-in console:", "Path: " + socket, "Use Ctrl-A to detach."), t.out);
        assertEquals(List.of("=".repeat(100), "=".repeat(100)), t.err);
        assertFalse(screen.text().contains("\u00FF"), Screen.show(screen.text()));
        keyboard.type(0x01);
        assertEquals(0, exit(session));
    }

    @Test
    void attachSendsNothingOnConnect() throws Exception {
        CompletableFuture<Integer> session = attach(RecordingTerminal.unprompted());
        screen.await("(plus you)\r\n", WAIT);
        Thread.sleep(200);
        assertEquals(0, procServ.received().length);
        keyboard.type(0x01);
        assertEquals(0, exit(session));
    }

    @Test
    void attachForwardsKeystrokesWithIacDoubled() throws Exception {
        CompletableFuture<Integer> session = attach(RecordingTerminal.unprompted());
        screen.await("(plus you)", WAIT);
        keyboard.type(0x61, 0xFF, 0x0D);
        awaitReceived(new byte[] {'a', (byte) 0xFF, (byte) 0xFF, '\r'});
        keyboard.type(0x01);
        assertEquals(0, exit(session));
    }

    @Test
    void ctrlADetachesWithoutBeingForwardedAndClosesTheConnection() throws Exception {
        RecordingTerminal t = RecordingTerminal.unprompted();
        CompletableFuture<Integer> session = attach(t);
        screen.await("(plus you)", WAIT);
        keyboard.type("ls\n\u0001typed after detach\n");
        assertEquals(0, exit(session));
        procServ.awaitClientGone(WAIT);
        assertArrayEquals("ls\n".getBytes(StandardCharsets.US_ASCII), procServ.received());
        assertEquals(DETACHED, t.out.get(t.out.size() - 1));
    }

    @Test
    void ctrlCIsForwardedWhenAttachedBecauseProcServFiltersIt() throws Exception {
        CompletableFuture<Integer> session = attach(RecordingTerminal.unprompted());
        screen.await("(plus you)", WAIT);
        keyboard.type(0x03);
        awaitReceived(new byte[] {0x03});
        keyboard.type(0x01);
        assertEquals(0, exit(session));
    }

    @Test
    void attachEndsWithTheClosedMessageWhenProcServHangsUp() throws Exception {
        RecordingTerminal t = RecordingTerminal.unprompted();
        CompletableFuture<Integer> session = attach(t);
        screen.await("(plus you)", WAIT);
        procServ.send("epics> ");
        procServ.hangUp();
        assertEquals(0, exit(session));
        assertEquals(CLOSED, t.out.get(t.out.size() - 1));
        assertTrue(screen.text().endsWith("epics> "));
    }

    @Test
    void attachFedFromAPipeShowsTheReplyThenDetachesWhenInputEnds() throws Exception {
        RecordingTerminal t = RecordingTerminal.unprompted();
        CompletableFuture<Integer> session = attach(t);
        screen.await("(plus you)", WAIT);
        keyboard.type("dbl\n");
        keyboard.hangUp();
        awaitReceived("dbl\n".getBytes(StandardCharsets.US_ASCII));
        procServ.send("dbl\r\nioc1:ai1\r\nepics> ");
        assertEquals(0, exit(session));
        assertTrue(screen.text().endsWith("ioc1:ai1\r\nepics> "), Screen.show(screen.text()));
        assertEquals(DETACHED, t.out.get(t.out.size() - 1));
    }

    @Test
    void monitorPrintsTheSeedHeaderAndWritesNothingWhateverIsTyped() throws Exception {
        RecordingTerminal t = RecordingTerminal.unprompted();
        CompletableFuture<Integer> session = monitor(t);
        screen.await("(plus you)", WAIT);
        keyboard.type("MARKER typed into monitor\n");
        keyboard.type(0xFF, 0x18, 0x0D);
        procServ.send("epics> ");
        screen.await("epics> ", WAIT);
        keyboard.type(0x03);
        assertEquals(0, exit(session));
        procServ.awaitClientGone(WAIT);
        assertEquals(0, procServ.received().length);
        assertEquals(List.of("Monitoring ioc1 (Read-Only Mode) via built-in console:", "Path: " + socket,
                "Use Ctrl-C or Ctrl-A to exit.", DETACHED), t.out);
    }

    @Test
    void monitorExitsOnCtrlA() throws Exception {
        CompletableFuture<Integer> session = monitor(RecordingTerminal.unprompted());
        screen.await("(plus you)", WAIT);
        keyboard.type(0x01);
        assertEquals(0, exit(session));
    }

    @Test
    void monitorFedFromAPipeKeepsWatchingAfterInputEnds() throws Exception {
        RecordingTerminal t = RecordingTerminal.unprompted();
        CompletableFuture<Integer> session = monitor(t);
        screen.await("(plus you)", WAIT);
        keyboard.hangUp();
        Thread.sleep(Relay.INPUT_EOF_GRACE.toMillis() + 200);
        procServ.send("later output\r\n");
        screen.await("later output\r\n", WAIT);
        assertFalse(session.isDone());
        procServ.hangUp();
        assertEquals(0, exit(session));
        assertEquals(CLOSED, t.out.get(t.out.size() - 1));
    }

    @Test
    void monitorOnATerminalEndsWhenTheTerminalGoesAway() throws Exception {
        RecordingTerminal t = RecordingTerminal.unprompted(true);
        CompletableFuture<Integer> session = monitor(t);
        screen.await("(plus you)", WAIT);
        keyboard.hangUp();
        assertEquals(0, exit(session));
        assertEquals(DETACHED, t.out.get(t.out.size() - 1));
    }

    @Test
    void aStdoutThatFailsEndsTheSessionWithAnErrorInsteadOfHanging() throws Exception {
        java.io.OutputStream brokenPipe = new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        Console c = new Console(RecordingTerminal.unprompted(), Map.of(), keyboard, brokenPipe, Optional::empty);
        OperationException e = assertThrows(OperationException.class, () -> c.monitor(NAME, socket));
        assertEquals("Console session with ioc1 (" + socket + ") failed: cannot write the console output: Broken pipe.",
                e.getMessage());
        procServ.awaitClientGone(WAIT);
    }

    @Test
    void missingSocketFailsNamingThePathWithAHint() throws Exception {
        RecordingTerminal t = RecordingTerminal.unprompted();
        Path gone = dir.resolve("nothing/control");
        OperationException e = assertThrows(OperationException.class, () -> client(t, Map.of()).attach(NAME, gone));
        assertEquals("Console socket not found: " + gone + ".", e.getMessage());
        assertTrue(e.details().get(0).startsWith("  -> "), e.details().toString());
        assertEquals(1, e.exitCode());
    }

    @Test
    void conToolThatIsNotAnExecutableFileIsRejectedNamingTheVariable() throws IOException {
        Path notExecutable = Files.writeString(dir.resolve("con"), "#!/bin/sh\n");
        for (String value : List.of(notExecutable.toString(), dir.toString(), dir.resolve("missing").toString())) {
            OperationException e = assertThrows(OperationException.class,
                    () -> client(RecordingTerminal.unprompted(), Map.of("IOC_RUNNER_CON_TOOL", value)));
            assertEquals("IOC_RUNNER_CON_TOOL '" + value + "' is not an executable file.", e.getMessage());
        }
    }

    @Test
    void conToolRunsWithTheSeedsArgumentsAndItsExitStatusIsReturned() throws Exception {
        Path argsFile = dir.resolve("args");
        Path con = Files.writeString(dir.resolve("con"), "#!/bin/sh\necho \"$*\" >> " + argsFile + "\nexit 7\n");
        Files.setPosixFilePermissions(con, PosixFilePermissions.fromString("rwxr-xr-x"));
        RecordingTerminal t = RecordingTerminal.unprompted();
        Console c = client(t, Map.of("IOC_RUNNER_CON_TOOL", con.toString()));
        assertEquals(7, c.attach(NAME, socket));
        assertEquals(7, c.monitor(NAME, socket));
        assertEquals(List.of("-c " + socket, "-r -c " + socket), Files.readAllLines(argsFile));
        assertEquals(List.of("Attaching to ioc1 via con:", "Path: " + socket, "Use Ctrl-A to exit the console.",
                "Monitoring ioc1 (Read-Only Mode) via con:", "Path: " + socket, "Use Ctrl-A to exit."), t.out);
    }

    private void awaitReceived(byte[] expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!java.util.Arrays.equals(expected, procServ.received())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("procServ received " + Screen.show(new String(procServ.received(),
                        StandardCharsets.ISO_8859_1)) + ", expected " + Screen.show(new String(expected, StandardCharsets.ISO_8859_1)));
            }
            Thread.sleep(10);
        }
    }
}
