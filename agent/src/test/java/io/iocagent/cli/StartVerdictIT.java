package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The start/restart health verdict on real procServ under the user manager, with stand-in IOCs
 * that come up, fail before init, crash-loop, initialize slowly, or report errors after init.
 */
class StartVerdictIT {

    private static TestBed bed;

    @BeforeAll
    static void openTestBed() {
        bed = TestBed.open();
    }

    @AfterAll
    static void closeTestBed() {
        if (bed != null) {
            bed.close();
        }
    }

    /** Installs a stand-in with {@code behaviour}; extra conf lines become its environment. */
    private static String installed(String base, Behaviour behaviour, String... extraConfLines) throws IOException {
        String name = bed.iocName(base);
        Path dir = bed.iocBoot(name, behaviour);
        assertEquals(0, CliRun.of(bed.env(), "--local", "generate", dir.toString()).exit());
        Path conf = dir.resolve(name + ".conf");
        for (String line : extraConfLines) {
            Files.writeString(conf, line + "\n", StandardOpenOption.APPEND);
        }
        CliRun install = CliRun.of(bed.env(), "--local", "install", conf.toString());
        assertEquals(0, install.exit(), install.transcript());
        return name;
    }

    private static CliRun start(String name, String... envOverrides) {
        Map<String, String> env = new HashMap<>(bed.env());
        for (int i = 0; i + 1 < envOverrides.length; i += 2) {
            env.put(envOverrides[i], envOverrides[i + 1]);
        }
        return CliRun.of(env, "--local", "start", name);
    }

    @Test
    void healthyStartSucceedsAndASecondStartSaysAlreadyRunning() throws IOException {
        String name = installed("healthy", Behaviour.HEALTHY);
        CliRun first = start(name);
        assertEquals(0, first.exit(), first.transcript());
        assertTrue(first.out().contains("IOC '" + name + "' successfully started."), first.transcript());

        CliRun second = start(name);
        assertEquals(0, second.exit(), second.transcript());
        assertTrue(second.out().contains("IOC '" + name + "' is already running."), second.transcript());

        CliRun restart = CliRun.of(bed.env(), "--local", "restart", name);
        assertEquals(0, restart.exit(), restart.transcript());
        assertTrue(restart.out().contains("IOC '" + name + "' successfully started."), restart.transcript());
        CliRun.of(bed.env(), "--local", "stop", name);
    }

    @Test
    void fatalBeforeInitFailsTheStart() throws IOException {
        String name = installed("fatal", Behaviour.FATAL);
        CliRun r = start(name);
        assertEquals(1, r.exit(), r.transcript());
        assertTrue(r.err().contains("Error: IOC '" + name + "' failed to initialize (fatal error before iocInit)."),
                r.transcript());
        assertTrue(r.err().contains("  -> Check logs: tail -f " + bed.logDir().resolve(name + ".log")), r.transcript());
        CliRun.of(bed.env(), "--local", "stop", name);
    }

    @Test
    void crashLoopBeforeInitFailsTheStart() throws IOException {
        String name = installed("loop", Behaviour.CRASHLOOP);
        CliRun r = start(name);
        assertEquals(1, r.exit(), r.transcript());
        assertTrue(r.err().contains("Error: IOC '" + name + "' is crash-looping before reaching iocInit."), r.transcript());
        CliRun.of(bed.env(), "--local", "stop", name);
    }

    @Test
    void slowInitWarnsButSucceedsWhileTheUnitIsActive() throws IOException {
        String name = installed("slow", Behaviour.SLOW, "STANDIN_INIT_DELAY=\"120\"");
        CliRun r = start(name, "IOC_RUNNER_TEST_MAX_INIT_TIMEOUT", "2");
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(r.err().contains("Warning: IOC '" + name + "' is active but did not report initialization complete within 2s."),
                r.transcript());
        CliRun.of(bed.env(), "--local", "stop", name);
    }

    @Test
    void errorsAfterInitWarnButSucceed() throws IOException {
        String name = installed("errors", Behaviour.ERRORS);
        CliRun r = start(name);
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(r.err().contains("Warning: IOC '" + name
                + "' is active but reported errors after initialization (check device connections)."), r.transcript());
        CliRun.of(bed.env(), "--local", "stop", name);
    }

    @Test
    void aFatalWrittenAfterTheLogWasTruncatedDuringTheStartIsCaught() throws Exception {
        String name = installed("rotated", Behaviour.SLOW, "STANDIN_INIT_DELAY=\"120\"");
        Path log = bed.logDir().resolve(name + ".log");
        Files.writeString(log, "x".repeat(4096) + "\nold history\n");
        CompletableFuture<CliRun> start = CompletableFuture.supplyAsync(() -> start(name, "IOC_RUNNER_TEST_MAX_INIT_TIMEOUT", "15"));
        TestBed.await(java.time.Duration.ofSeconds(10), "procServ to write its start into the log", () -> {
            try {
                return Files.readString(log).contains("The PID of new child");
            } catch (IOException e) {
                return false;
            }
        });
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(0); // what logrotate's copytruncate does
        }
        Files.writeString(log, "FATAL: injected after truncation\n", StandardOpenOption.APPEND);
        CliRun r = start.get();
        assertEquals(1, r.exit(), r.transcript());
        assertTrue(r.err().contains("failed to initialize (fatal error before iocInit)"), r.transcript());
        CliRun.of(bed.env(), "--local", "stop", name);
    }
}
