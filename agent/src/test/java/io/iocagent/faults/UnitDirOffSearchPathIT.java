package io.iocagent.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.IsolatedUserManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code IOC_RUNNER_(LOCAL_)SYSTEMD_DIR} outside the user manager's unit search path, and a
 * {@code $HOME} other than the manager's, with the default template name {@code epics-@} — on a
 * user manager of its own, so the real {@code epics-@.service} of the shared one is never touched.
 * As epics-ioc-runner does: install exits 0 in every setup and the manager's home is left as it
 * was (no link into {@code ~/.config/systemd/user}, none left broken when the directories go, no
 * {@code UnitExists}); the IOC installed the normal way still starts.
 */
class UnitDirOffSearchPathIT {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void installOutsideTheSearchPathExitsZeroAndLeavesTheHomeAsItWas() throws Exception {
        try (IsolatedUserManager manager = IsolatedUserManager.start();
             UserAgent agent = UserAgent.on(manager)) {
            Path home = manager.home();
            Path otherHome = home.resolve("elsewhere");
            manager.run("mkdir", "-p", otherHome.toString());
            Path units1 = home.resolve("units-one");
            Path units2 = home.resolve("units-two");

            // A HOME other than the manager's, no template in the manager's home yet.
            Path d = agent.generate("d");
            UserAgent.CliResult dFirst = agent.cli(Map.of("HOME", otherHome.toString()), "--local", "install", d.toString());
            assertInstalledOffPath(dFirst, otherHome.resolve(".config/systemd/user"));
            assertEquals(List.of(), entries(home.resolve(".config/systemd")), "the manager's home gets no unit file or link");

            // The normal install: the default template in the manager's home.
            UserAgent.CliResult a = agent.cli("--local", "install", agent.generate("a").toString());
            assertEquals(0, a.exit(), a.output());
            assertFalse(a.output().contains("Warning: "), a.output());
            List<String> home0 = entries(home.resolve(".config/systemd"));
            assertTrue(home0.contains("user/epics-@.service"), home0.toString());
            List<String> runtime0 = entries(manager.runtimeDir().resolve("systemd"));

            UserAgent.CliResult b = agent.cli(Map.of("IOC_RUNNER_LOCAL_SYSTEMD_DIR", units1.toString()),
                    "--local", "install", agent.generate("b").toString());
            assertInstalledOffPath(b, units1);
            assertTrue(b.output().contains("(it uses " + home.resolve(".config/systemd/user/epics-@.service")
                    + ", which this install did not change)"), b.output());

            UserAgent.CliResult c = agent.cli(Map.of("IOC_RUNNER_SYSTEMD_DIR", units2.toString()),
                    "--local", "install", agent.generate("c").toString());
            assertInstalledOffPath(c, units2);

            UserAgent.CliResult dAgain = agent.cli(Map.of("HOME", otherHome.toString()), "--local", "install", d.toString(), "-f");
            assertEquals(0, dAgain.exit(), dAgain.output());
            assertFalse(dAgain.output().contains("UnitExists"), dAgain.output());

            assertEquals(home0, entries(home.resolve(".config/systemd")), "the manager's home is as the normal install left it");
            assertEquals(runtime0, entries(manager.runtimeDir().resolve("systemd")), "nothing linked at runtime");

            manager.run("rm", "-rf", units1.toString(), units2.toString(), otherHome.toString());
            assertEquals(List.of(), brokenLinks(home), "no broken link left in the home");
            assertEquals(home0, entries(home.resolve(".config/systemd")));

            UserAgent.CliResult start = agent.cli("--local", "start", "a");
            assertEquals(0, start.exit(), "the IOC installed the normal way starts: " + start.output());
            assertEquals("active", manager.systemctl("show", "-P", "ActiveState", "epics-@a.service").trim());
        }
    }

    private static void assertInstalledOffPath(UserAgent.CliResult r, Path unitDir) {
        assertEquals(0, r.exit(), r.output());
        assertFalse(r.output().contains("UnitExists"), r.output());
        assertTrue(Files.isRegularFile(unitDir.resolve("epics-@.service")), "template written to " + unitDir + ": " + r.output());
        assertTrue(r.output().contains("Warning: " + unitDir + " is not on the user manager's unit search path;"), r.output());
        assertFalse(r.output().contains("Linked"), r.output());
    }

    /** Every entry below {@code dir}, relative, with link targets; empty when {@code dir} does not exist. */
    private static List<String> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            List<String> out = new ArrayList<>();
            for (Path p : s.filter(p -> !p.equals(dir)).sorted().toList()) {
                out.add(dir.relativize(p) + (Files.isSymbolicLink(p) ? " -> " + Files.readSymbolicLink(p) : ""));
            }
            return out;
        }
    }

    /** Links below {@code dir} whose target is gone ({@link Files#exists} follows links). */
    private static List<Path> brokenLinks(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isSymbolicLink).filter(p -> !Files.exists(p)).toList();
        }
    }
}
