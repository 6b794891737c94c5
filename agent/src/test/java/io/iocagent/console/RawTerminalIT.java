package io.iocagent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Raw mode on a real pseudo-terminal: {@code script} gives {@link TerminalProbe} a pty, and
 * {@code stty -g} run before and after the probe (in the same pty) is the oracle for "restored".
 */
class RawTerminalIT {

    private static final Path SCRIPT = Path.of("/usr/bin/script");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern SETTINGS = Pattern.compile("(BEFORE|RAW|RESTORED|AFTER) ([0-9a-f]+(?::[0-9a-f]+)+)");

    @TempDir
    Path dir;

    private Process script;
    private StandinProcServ procServ;

    @AfterEach
    void cleanUp() {
        if (script != null) {
            script.descendants().forEach(ProcessHandle::destroyForcibly);
            script.destroyForcibly();
        }
        if (procServ != null) {
            procServ.close();
        }
    }

    /** Runs {@code TerminalProbe ARGS} on a fresh pty between two {@code stty -g}; output goes to the screen. */
    private Screen onPty(String probeArgs) throws IOException {
        TestBed.requireOrSkip(Files.isExecutable(SCRIPT), "script (util-linux) not found at " + SCRIPT);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // env --default-signal: a JVM started with SIGINT or SIGHUP ignored (as by nohup, or a background job of
        // a non-interactive shell, which is how a CI run may be started) installs no handler for them.
        String command = "echo \"BEFORE $(stty -g)\"; env --default-signal=HUP,INT,TERM '" + java + "' -cp '" + System.getProperty("java.class.path")
                + "' " + TerminalProbe.class.getName() + " " + probeArgs + "; echo \"STATUS $?\"; echo \"AFTER $(stty -g)\"";
        script = new ProcessBuilder(SCRIPT.toString(), "-q", "-e", "-c", command, "/dev/null")
                .redirectErrorStream(true).start();
        Screen screen = new Screen();
        Thread copy = new Thread(() -> {
            try (InputStream in = script.getInputStream()) {
                in.transferTo(screen);
            } catch (IOException e) {
                // the script ended
            }
        }, "pty-output");
        copy.setDaemon(true);
        copy.start();
        return screen;
    }

    private String finish(Screen screen) throws Exception {
        assertTrue(script.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "script did not end:\n" + Screen.show(screen.text()));
        screen.await("AFTER ", WAIT);
        Thread.sleep(100);
        return screen.text();
    }

    private static String settings(String text, String label) {
        Matcher m = SETTINGS.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(label)) {
                return m.group(2);
            }
        }
        throw new AssertionError("no " + label + " settings in:\n" + Screen.show(text));
    }

    private static void type(Process p, int... bytes) throws IOException {
        OutputStream in = p.getOutputStream();
        for (int b : bytes) {
            in.write(b);
        }
        in.flush();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "HUP"})
    void shutdownHookRestoresTheTerminalWhenTheJvmIsSignalled(String signal) throws Exception {
        Screen screen = onPty("signal " + signal);
        String text = finish(screen);
        assertNotEquals(settings(text, "BEFORE"), settings(text, "RAW"), "raw mode changed nothing");
        assertEquals(settings(text, "BEFORE"), settings(text, "AFTER"), "terminal not restored after SIG" + signal);
        assertFalse(text.contains("did not end the JVM"), Screen.show(text));
    }

    @Test
    void restoringTwiceIsHarmless() throws Exception {
        String text = finish(onPty("restore-twice"));
        assertEquals(settings(text, "BEFORE"), settings(text, "RESTORED"));
        assertEquals(settings(text, "BEFORE"), settings(text, "AFTER"));
        assertTrue(text.contains("STATUS 0"), Screen.show(text));
    }

    @Test
    void attachOnATerminalIsRawDetachesOnCtrlAAndRestoresTheTerminal() throws Exception {
        procServ = StandinProcServ.start(dir, "t");
        Screen screen = onPty("attach t " + procServ.socket());
        screen.await("connected (plus you)\r\n", WAIT); // shown only once raw mode is on: connect, raw, relay
        type(script, 'p', 'i', 'n', 'g', '\r'); // Enter on a raw terminal is CR; procServ's pty maps it to NL
        screen.await("ping\r\nping\r\nepics> ", WAIT);
        type(script, 0x01);
        String text = finish(screen);
        assertTrue(text.contains("Detached from t.") && text.contains("EXIT 0"), Screen.show(text));
        assertEquals(settings(text, "BEFORE"), settings(text, "AFTER"));
        assertTrue(procServ.log().contains("ping"));
        assertTrue(Arrays.stream(text.split("\n")).noneMatch(l -> l.contains("\u00FF")));
    }

    @Test
    void monitorOnATerminalExitsOnCtrlCWithoutSigintAndRestoresTheTerminal() throws Exception {
        procServ = StandinProcServ.start(dir, "m");
        Screen screen = onPty("monitor m " + procServ.socket());
        screen.await("connected (plus you)\r\n", WAIT);
        type(script, 'n', 'o', 'p', 'e', '\r', 0x03);
        String text = finish(screen);
        assertTrue(text.contains("Detached from m.") && text.contains("EXIT 0"), Screen.show(text));
        assertEquals(settings(text, "BEFORE"), settings(text, "AFTER"));
        assertFalse(procServ.log().contains("nope"), "monitor input reached the IOC");
    }
}
