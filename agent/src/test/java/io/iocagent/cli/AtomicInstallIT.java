package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Install is atomic: the real launcher and jar are SIGKILLed at instants spread over a whole
 * install, again and again, and the installed file must always be the complete old or the
 * complete new configuration — never a partial one.
 */
class AtomicInstallIT {

    private static final int KILLS = 40;

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

    static Path launcher() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isExecutable(dir.resolve("deploy/bin/ioc-runner"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "deploy/bin/ioc-runner not found above the working directory");
        return dir.resolve("deploy/bin/ioc-runner");
    }

    private static Process install(Path source) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(launcher().toString(), "--local", "install", source.toString(), "-f")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(bed.env());
        pb.environment().put("IOC_AGENT_JAR", launcher().getParent().getParent().getParent()
                .resolve("agent/target/ioc-agent.jar").toString());
        return pb.start();
    }

    @Test
    void killedInstallsLeaveTheOldOrTheNewFileNeverAPartialOne() throws Exception {
        String name = bed.iocName("atomic");
        Path dir = bed.iocBoot(name, Behaviour.HEALTHY);
        assertEquals(0, CliRun.of(bed.env(), "--local", "generate", dir.toString()).exit());
        Path a = dir.resolve(name + ".conf");
        Path b = bed.root().resolve("b").resolve(name + ".conf");
        Files.createDirectories(b.getParent());
        // The second version is much longer so that a torn write would be visible.
        StringBuilder extra = new StringBuilder(Files.readString(a));
        for (int i = 0; i < 900; i++) { // ~56 KB: under the 64 KiB conf limit
            extra.append("IOC_META_LINE_").append(i).append("=\"padding to make a partial write detectable\"\n");
        }
        Files.writeString(b, extra);

        Path installed = bed.confDir().resolve(name + ".conf");
        assertEquals(0, CliRun.of(bed.env(), "--local", "install", b.toString(), "-f").exit());
        String versionB = Files.readString(installed);
        assertEquals(0, CliRun.of(bed.env(), "--local", "install", a.toString(), "-f").exit());
        String versionA = Files.readString(installed);
        Set<String> whole = Set.of(versionA, versionB);

        long t0 = System.nanoTime();
        Process full = install(b);
        assertTrue(full.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, full.exitValue(), "a complete launcher run must succeed");
        long fullNanos = System.nanoTime() - t0;

        int completed = 0;
        for (int i = 0; i < KILLS; i++) {
            Path source = i % 2 == 0 ? a : b;
            Process p = install(source);
            long delayNanos = fullNanos * (i + 1) / KILLS;
            TimeUnit.NANOSECONDS.sleep(delayNanos);
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
            p.waitFor(30, TimeUnit.SECONDS);
            if (p.exitValue() == 0) {
                completed++;
            }
            String now = Files.readString(installed);
            assertTrue(whole.contains(now), "after kill " + i + " (" + delayNanos / 1_000_000 + " ms) the file is partial: "
                    + now.length() + " chars");
            assertEquals(1, now.lines().filter(l -> l.startsWith("IOC_PORT=")).count());
        }
        List<Path> leftovers;
        try (var s = Files.list(bed.confDir())) {
            leftovers = s.filter(p -> p.getFileName().toString().endsWith(".conf") && !p.equals(installed)).toList();
        }
        assertEquals(List.of(), leftovers, "a killed install must never leave another *.conf behind");
        System.out.println("AtomicInstallIT: " + KILLS + " kills over " + fullNanos / 1_000_000 + " ms; "
                + completed + " installs completed before their kill");
    }
}
