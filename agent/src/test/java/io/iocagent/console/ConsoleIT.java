package io.iocagent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.ops.OperationException;
import io.iocagent.testbed.RecordingTerminal;
import io.iocagent.testbed.TestBed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** attach and monitor against a real procServ 2.7 running the stand-in IOC. */
class ConsoleIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final IocName NAME = new IocName("x");
    private static final String CLOSED = "\r\nConnection closed by the IOC (procServ stopped or the console was closed).";

    @TempDir
    Path dir;

    private StandinProcServ procServ;

    @BeforeEach
    void startProcServ() throws Exception {
        procServ = StandinProcServ.start(dir, NAME.value());
    }

    @AfterEach
    void killProcServ() {
        procServ.close();
    }

    /** One console session running in the background, with its own keyboard, screen and terminal. */
    private static final class Session {
        final Keyboard keyboard = new Keyboard();
        final Screen screen = new Screen();
        final RecordingTerminal terminal = RecordingTerminal.unprompted();
        final CompletableFuture<Integer> exit;

        Session(Path socket, boolean attach) throws OperationException {
            Console client = new Console(terminal, Map.of(), keyboard, screen, Optional::empty);
            exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return attach ? client.attach(NAME, socket) : client.monitor(NAME, socket);
                } catch (OperationException e) {
                    throw new IllegalStateException(e.fullText(), e);
                }
            });
            screen.await("connected (plus you)\r\n", WAIT);
        }

        int awaitExit() throws Exception {
            try {
                return exit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                keyboard.hangUp();
            }
        }

        String lastLine() {
            return terminal.out.get(terminal.out.size() - 1);
        }
    }

    @Test
    void attachRoundTripShowsTheIocEchoAndNoTelnetBytes() throws Exception {
        Session attach = new Session(procServ.socket(), true);
        attach.keyboard.type("hello\n");
        // the pty echoes the line, then the stand-in IOC prints it and a new prompt (CR LF from the pty)
        attach.screen.await("hello\r\nhello\r\nepics> ", WAIT);
        assertFalse(attach.screen.text().contains("\u00FF"), Screen.show(attach.screen.text()));
        assertTrue(attach.screen.text().startsWith("@@@ Welcome to procServ (procServ Process Server 2.7.0)\r\n"));
        attach.keyboard.type(0x01);
        assertEquals(0, attach.awaitExit());
        assertEquals("\r\nDetached from x.", attach.lastLine());
        assertTrue(procServ.log().contains("hello"), "the IOC saw the line");
    }

    @Test
    void ctrlADetachesAndLeavesTheIocRunning() throws Exception {
        Session attach = new Session(procServ.socket(), true);
        attach.keyboard.type(0x01);
        assertEquals(0, attach.awaitExit());
        assertEquals("\r\nDetached from x.", attach.lastLine());
        Session again = new Session(procServ.socket(), true);
        again.keyboard.type("still-here\n");
        again.screen.await("still-here\r\nepics> ", WAIT);
        again.keyboard.type(0x01);
        assertEquals(0, again.awaitExit());
    }

    @Test
    void monitorInputNeverReachesTheIocWhileAConcurrentAttachDoes() throws Exception {
        Session monitor = new Session(procServ.socket(), false);
        Session attach = new Session(procServ.socket(), true);
        String monitorMarker = "MONITOR-MARKER-" + System.nanoTime();
        String attachMarker = "ATTACH-MARKER-" + System.nanoTime();
        monitor.keyboard.type(monitorMarker + "\n");
        monitor.keyboard.type(0x18, 0x0D); // ^X would kill the IOC if it got through
        long typed = System.nanoTime();
        attach.keyboard.type(attachMarker + "\n");
        TestBed.await(WAIT, "the attached line in the procServ log", () -> procServ.log().contains(attachMarker));
        monitor.screen.await(attachMarker + "\r\n" + attachMarker + "\r\nepics> ", WAIT); // the monitor sees the party line
        Thread.sleep(Math.max(0, Duration.ofSeconds(2).toMillis() - (System.nanoTime() - typed) / 1_000_000));
        assertFalse(procServ.log().contains(monitorMarker), "monitor input reached the IOC:\n" + procServ.log());
        assertFalse(procServ.log().contains("Received a sigChild"), "a ^X typed into monitor killed the IOC");
        assertFalse(monitor.exit.isDone(), "monitor keeps watching after its piped input");

        procServ.stop();
        assertEquals(0, monitor.awaitExit());
        assertEquals(0, attach.awaitExit());
        assertEquals(CLOSED, monitor.lastLine());
        assertEquals(CLOSED, attach.lastLine());
    }
}
