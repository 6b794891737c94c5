package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The status line of a long start, through the shipped launcher on a real pseudo-terminal
 * ({@code script}) and through pipes: on the terminal it says what is waited for and counts the
 * seconds, and is gone when the verdict is printed; through pipes not one byte of it appears.
 */
class StartProgressIT {

    private static final Pattern SECONDS_OF_INIT = Pattern.compile("\\((\\d+)s of 30s\\)");
    private static TestBed bed;

    @BeforeAll
    static void openTestBed() {
        bed = TestBed.open();
        TestBed.requireOrSkip(Files.isExecutable(Path.of("/usr/bin/script")), "script (bsdutils) for a pseudo-terminal");
    }

    @AfterAll
    static void closeTestBed() {
        if (bed != null) {
            bed.close();
        }
    }

    private static String installedSlow(String base, int initSeconds) throws IOException {
        String name = bed.iocName(base);
        Path dir = bed.iocBoot(name, Behaviour.SLOW);
        assertEquals(0, CliRun.of(bed.env(), "--local", "generate", dir.toString()).exit());
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, "STANDIN_INIT_DELAY=\"" + initSeconds + "\"\n", StandardOpenOption.APPEND);
        CliRun install = CliRun.of(bed.env(), "--local", "install", conf.toString());
        assertEquals(0, install.exit(), install.transcript());
        return name;
    }

    /** The launcher's output: stdout and stderr of a run on a pseudo-terminal, as the terminal received it. */
    private static Run onTerminal(Map<String, String> extraEnv, String... args) throws Exception {
        StringBuilder command = new StringBuilder("exec '" + AtomicInstallIT.launcher() + "'");
        for (String a : args) {
            command.append(" '").append(a).append("'");
        }
        List<String> line = List.of("script", "-qfec", command.toString(), "/dev/null");
        return run(line, extraEnv);
    }

    private static Run throughPipes(String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(AtomicInstallIT.launcher().toString()));
        line.addAll(List.of(args));
        return run(line, Map.of("TERM", "xterm"));
    }

    private static Run run(List<String> line, Map<String, String> extraEnv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(line);
        pb.environment().putAll(bed.env());
        pb.environment().put("IOC_AGENT_JAR", AtomicInstallIT.launcher().getParent().getParent().getParent()
                .resolve("agent/target/ioc-agent.jar").toString());
        pb.environment().remove("COLUMNS");
        pb.environment().putAll(extraEnv);
        Path err = Files.createTempFile(bed.root(), "stderr", ".txt");
        pb.redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command ends: " + line);
        p.getOutputStream().close();
        return new Run(p.exitValue(), out, Files.readString(err));
    }

    record Run(int exit, String out, String err) {
        String transcript() {
            return "exit " + exit + "\n--- stdout\n" + out.replace("\033", "<ESC>").replace("\r", "<CR>")
                    + "\n--- stderr\n" + err.replace("\033", "<ESC>").replace("\r", "<CR>");
        }
    }

    /**
     * What a terminal shows at the end: each line's text after its last carriage return + erase,
     * the pty's CR before LF dropped.
     */
    private static List<String> screen(String received) {
        List<String> lines = new ArrayList<>();
        for (String line : received.split("\n", -1)) {
            String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            int erase = text.lastIndexOf("\r\033[K");
            lines.add(erase < 0 ? text : text.substring(erase + 4));
        }
        return lines;
    }

    @Test
    void aSlowStartOnATerminalShowsWhatItWaitsForAndForHowLongThenOnlyTheVerdict() throws Exception {
        String name = installedSlow("slowtty", 3);
        Run r = onTerminal(Map.of("TERM", "xterm"), "--local", "start", name);
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(r.out().contains("systemd's start job for "), r.transcript());
        assertTrue(r.out().contains("| 'All initialization complete' i"), r.transcript());
        assertTrue(r.out().contains("initialized; watching for a crash (0s of "), r.transcript());
        assertFalse(r.out().substring(r.out().indexOf("successfully started.")).contains("watching"),
                "no status line after the verdict: " + r.transcript());
        TreeSet<Integer> seconds = new TreeSet<>();
        Matcher m = SECONDS_OF_INIT.matcher(r.out());
        while (m.find()) {
            seconds.add(Integer.parseInt(m.group(1)));
        }
        assertTrue(seconds.size() >= 2 && seconds.last() >= 2,
                "the seconds count up while the 3 s init is waited for: " + seconds + "\n" + r.transcript());
        List<String> screen = screen(r.out());
        assertEquals(List.of("IOC '" + name + "' successfully started.", ""), screen.subList(screen.size() - 2, screen.size()),
                "the status line is gone, the verdict stays: " + r.transcript());
        assertTrue(screen.stream().noneMatch(l -> l.contains("(") && l.contains("s of ")), "no status line left on screen: "
                + screen);

        Run stop = onTerminal(Map.of("TERM", "xterm"), "--local", "stop", name);
        assertEquals(0, stop.exit(), stop.transcript());
        assertTrue(stop.out().contains("systemd's stop job for "), stop.transcript());
        List<String> stopScreen = screen(stop.out());
        assertEquals("IOC '" + name + "' stopped (inactive).", stopScreen.get(stopScreen.size() - 2), stop.transcript());
    }

    @Test
    void throughPipesOrOnADumbTerminalTheOutputIsExactlyTheVerdict() throws Exception {
        String name = installedSlow("slowpipe", 2);
        Run piped = throughPipes("--local", "start", name);
        assertEquals(0, piped.exit(), piped.transcript());
        assertEquals("IOC '" + name + "' successfully started.\n", piped.out(), piped.transcript());
        assertNoStatusLine(piped);

        Run dumb = onTerminal(Map.of("TERM", "dumb"), "--local", "restart", name);
        assertEquals(0, dumb.exit(), dumb.transcript());
        assertFalse(dumb.out().contains("\033") || dumb.out().contains("waiting") || dumb.out().contains("job for"),
                "TERM=dumb gets no status line: " + dumb.transcript());
        assertTrue(dumb.out().endsWith("\nIOC '" + name + "' successfully started.\r\n"), dumb.transcript());

        Run stopped = throughPipes("--local", "stop", name);
        assertEquals("IOC '" + name + "' stopped (inactive).\n", stopped.out(), stopped.transcript());
        assertNoStatusLine(stopped);
    }

    /** Only whole lines (the test bed's log-directory warning), no carriage return, escape or status text. */
    private static void assertNoStatusLine(Run r) {
        for (String stream : List.of(r.out(), r.err())) {
            assertFalse(stream.contains("\r") || stream.contains("\033") || stream.contains("job for")
                    || stream.contains("of 30s"), r.transcript());
        }
    }

    @Test
    void aFailingStartOnATerminalLeavesTheErrorAndItsHintsOnCleanLines() throws Exception {
        String name = bed.iocName("fataltty");
        Path dir = bed.iocBoot(name, Behaviour.FATAL);
        assertEquals(0, CliRun.of(bed.env(), "--local", "generate", dir.toString()).exit());
        assertEquals(0, CliRun.of(bed.env(), "--local", "install", dir.resolve(name + ".conf").toString()).exit());
        Run r = onTerminal(Map.of("TERM", "xterm", "COLUMNS", "60"), "--local", "start", name);
        assertEquals(1, r.exit(), r.transcript());
        List<String> screen = screen(r.out());
        assertTrue(screen.contains("Error: IOC '" + name + "' failed to initialize (fatal error before iocInit)."),
                r.transcript());
        assertTrue(screen.stream().anyMatch(l -> l.startsWith("  -> Check logs: tail -f ")), r.transcript());
        assertEquals("", screen.get(screen.size() - 1), "nothing after the hints: " + r.transcript());
        for (String raw : r.out().split("\r\033\\[K")) {
            String drawn = raw.contains("\n") ? "" : raw;
            assertTrue(drawn.length() <= 59, "a status line fits COLUMNS-1: '" + drawn + "'");
        }
        CliRun.of(bed.env(), "--local", "stop", name);
    }
}
