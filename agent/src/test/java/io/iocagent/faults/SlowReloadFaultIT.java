package io.iocagent.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.IsolatedUserManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A daemon-reload slower than the command line's 25 s call timeout, as on a host with thousands of
 * units under load: a local {@code start} (which reloads first, as the Bash tool does) waits for it
 * as {@code systemctl daemon-reload} would, and starts the IOC. The slow reload is a user generator
 * that sleeps for this test's user manager only (systemd runs every user generator on each reload
 * and passes it the manager's runtime directory); it is removed at the end.
 */
class SlowReloadFaultIT {

    /** Longer than the command line's call timeout (25 s), far shorter than systemd's generator timeout. */
    private static final Duration RELOAD = Duration.ofSeconds(28);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aStartWaitsForAReloadSlowerThanTheCallTimeout() throws Exception {
        try (IsolatedUserManager manager = IsolatedUserManager.start();
             UserAgent agent = UserAgent.on(manager)) {
            UserAgent.expect0(agent.cli("--local", "install", agent.generate("slow").toString()));

            Path ran = manager.runtimeDir().resolve("slow-reload-ran");
            Path generators = Path.of("/run/systemd/user-generators");
            Files.createDirectories(generators);
            Path generator = generators.resolve("iocagent-slow-reload-" + manager.user());
            Files.writeString(generator, "#!/bin/sh\n"
                    + "case \"$1\" in " + manager.runtimeDir() + "/*) touch " + ran + "; sleep " + RELOAD.toSeconds() + " ;; esac\n");
            Files.setPosixFilePermissions(generator, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                long t0 = System.nanoTime();
                UserAgent.CliResult start = agent.cli("--local", "start", "slow");
                long took = System.nanoTime() - t0;

                assertEquals(0, start.exit(), start.output());
                assertTrue(start.output().contains("successfully started"), start.output());
                assertTrue(Files.exists(ran), "the slow generator ran during the start's daemon-reload");
                assertTrue(took >= RELOAD.toNanos(), "the start waited for the whole reload (" + took / 1_000_000 + " ms)");
                assertEquals("active", manager.systemctl("is-active", "epics-@slow.service").trim());
            } finally {
                Files.deleteIfExists(generator);
            }
        }
    }
}
