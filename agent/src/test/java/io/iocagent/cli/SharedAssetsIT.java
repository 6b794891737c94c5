package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The assets all local IOCs of a user share — the unit template and log rotation — are deployed
 * only after every install gate passed, and diff-aware: identical files are left alone, a
 * differing file is kept unless --force.
 */
class SharedAssetsIT {

    private TestBed bed;

    @BeforeEach
    void openTestBed() {
        bed = TestBed.open();
    }

    @AfterEach
    void closeTestBed() {
        if (bed != null) {   // null where the test bed was unavailable and the test skipped
            bed.close();
        }
    }

    private Path template() {
        return bed.systemdDir().resolve(bed.prefix() + ".service");
    }

    private String stem() {
        return bed.prefix().substring(0, bed.prefix().length() - 1) + "logrotate";
    }

    private Path iocDir(String name) {
        Path dir = bed.iocBoot(name, Behaviour.HEALTHY);
        assertEquals(0, CliRun.of(bed.env(), "--local", "generate", dir.toString()).exit());
        return dir;
    }

    @Test
    void firstInstallDeploysTemplateAndRotationWhereTheManagerLoadsThemWithoutAnyLink() throws IOException {
        String name = bed.iocName("assets");
        CliRun r = CliRun.of(bed.env(), "--local", "install", iocDir(name).toString());
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(Files.isRegularFile(template()));
        assertTrue(r.out().contains("Deployed user-level systemd template to " + template()), r.transcript());
        // The test bed's unit directory is on the manager's search path: nothing is linked anywhere.
        assertEquals(java.util.List.of(), ourEntries(TestBed.userUnitConfigDir()), r.transcript());
        assertFalse(r.out().contains("Linked"), r.transcript());
        assertFalse(r.err().contains("search path"), r.transcript());
        assertEquals("loaded", bed.systemctl("show", "-P", "LoadState", bed.unit(name)).trim());

        Path cfg = bed.confDir().getParent().resolve("ioc-runner/logrotate.conf");
        assertTrue(Files.readString(cfg).startsWith(bed.logDir() + "/*.log {"), "rotation config: " + cfg);
        assertTrue(Files.isRegularFile(bed.systemdDir().resolve(stem() + ".service")));
        assertTrue(Files.isRegularFile(bed.systemdDir().resolve(stem() + ".timer")));
        assertTrue(Files.isSymbolicLink(bed.systemdDir().resolve("timers.target.wants").resolve(stem() + ".timer")),
                r.transcript());
        assertEquals("rwxr-x---", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(bed.logDir())));

        CliRun second = CliRun.of(bed.env(), "--local", "install", iocDir(bed.iocName("second")).toString());
        assertEquals(0, second.exit(), second.transcript());
        assertFalse(second.out().contains("Deployed"), "identical assets are left alone: " + second.transcript());
        assertFalse(second.err().contains("Notice"), second.transcript());
    }

    @Test
    void aDifferingTemplateIsKeptWithoutForceAndReplacedWithABackupWithForce() throws IOException {
        Path dir = iocDir(bed.iocName("keep"));
        assertEquals(0, CliRun.of(bed.env(), "--local", "install", dir.toString()).exit());
        String edited = Files.readString(template()).replace("RestartSec=2", "RestartSec=7");
        Files.writeString(template(), edited);

        CliRun keep = CliRun.of(bed.env(), "--local", "install", dir.toString(), "-f");
        assertEquals(0, keep.exit(), keep.transcript());
        // -f forces the conf overwrite and the shared template update alike (the seed's --force).
        assertTrue(keep.err().contains("Info: Updating user systemd template (--force)."), keep.transcript());
        assertFalse(Files.readString(template()).contains("RestartSec=7"));
        try (Stream<Path> s = Files.list(bed.systemdDir())) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith(bed.prefix() + ".service.bak.")).count());
        }

        Files.writeString(template(), edited);
        Path other = iocDir(bed.iocName("other"));
        CliRun noForce = CliRun.of(bed.env(), "--local", "install", other.toString());
        assertEquals(0, noForce.exit(), noForce.transcript());
        assertTrue(noForce.err().contains("Notice: the installed user systemd template differs from the shipped version."));
        assertTrue(noForce.err().contains("Non-interactive; keeping the existing user systemd template (use --force to update)."));
        assertEquals(edited, Files.readString(template()));
    }

    @Test
    void anAbortedInstallLeavesTheSharedTemplateUntouched() throws IOException {
        Path dir = iocDir(bed.iocName("abort"));
        assertEquals(0, CliRun.of(bed.env(), "--local", "install", dir.toString()).exit());
        String edited = Files.readString(template()).replace("RestartSec=2", "RestartSec=9");
        Files.writeString(template(), edited);

        CliRun declined = CliRun.withInput(bed.env(), "n\n", "--local", "install", dir.toString());
        assertEquals(1, declined.exit(), declined.transcript());
        assertEquals(edited, Files.readString(template()), "a declined install must not touch shared assets");
    }

    /**
     * The seed's behaviour for a unit directory off the manager's search path (issue: links into the
     * real home that outlive their directory, a second directory ignored, UnitExists after the conf
     * was written): install exits 0, writes the template there and nothing anywhere else, and says
     * systemd will not load it; a second such directory gets its own template; deleting both leaves
     * no link behind.
     */
    @Test
    void aUnitDirectoryOffTheSearchPathGetsTheTemplateAndAWarningButNoLinkAnywhere() throws IOException {
        List<String> homeBefore = ourEntries(TestBed.userUnitConfigDir());
        Path first = bed.root().resolve("units-one");
        Path second = bed.root().resolve("units-two");
        String name = bed.iocName("offpath");
        Path dir = iocDir(name);

        CliRun one = CliRun.of(env("IOC_RUNNER_SYSTEMD_DIR", first), "--local", "install", dir.toString());
        assertEquals(0, one.exit(), one.transcript());
        assertTrue(Files.isRegularFile(first.resolve(bed.prefix() + ".service")), one.transcript());
        assertTrue(one.err().contains("Warning: " + first + " is not on the user manager's unit search path;"), one.transcript());
        assertTrue(one.err().contains("'start' will find no " + bed.prefix() + "NAME.service unit"), one.transcript());
        assertTrue(Files.isRegularFile(bed.confDir().resolve(name + ".conf")), one.transcript());

        CliRun two = CliRun.of(env("IOC_RUNNER_LOCAL_SYSTEMD_DIR", second), "--local", "install", dir.toString(), "-f");
        assertEquals(0, two.exit(), two.transcript());
        assertTrue(Files.isRegularFile(second.resolve(bed.prefix() + ".service")), "a second directory is not ignored: "
                + two.transcript());
        assertTrue(two.err().contains("Warning: " + second + " is not on the user manager's unit search path;"), two.transcript());

        assertEquals(homeBefore, ourEntries(TestBed.userUnitConfigDir()), "the home's unit directory is unchanged");
        assertEquals(List.of(), ourEntries(bed.runtimeDir().resolve("systemd/user")), "nothing linked at runtime either");
        assertEquals("not-found", bed.systemctl("show", "-P", "LoadState", bed.unit(name)).trim());
        CliRun start = CliRun.of(env("IOC_RUNNER_SYSTEMD_DIR", first), "--local", "start", name);
        assertEquals(1, start.exit(), start.transcript());
        assertTrue(start.err().contains("not found"), start.transcript());

        deleteTree(first);
        deleteTree(second);
        assertEquals(homeBefore, ourEntries(TestBed.userUnitConfigDir()), "no broken link left in the home");
    }

    /** A template of the same name earlier on the search path wins: install says which file systemd uses. */
    @Test
    void aTemplateShadowedEarlierOnTheSearchPathIsNamed() throws IOException {
        Path earlier = TestBed.userUnitConfigDir().resolve(bed.prefix() + ".service");
        Files.createDirectories(earlier.getParent());
        Files.writeString(earlier, "[Service]\nExecStart=/bin/true\n");
        CliRun r = CliRun.of(bed.env(), "--local", "install", iocDir(bed.iocName("shadow")).toString());
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(r.err().contains("Warning: systemd loads " + bed.prefix() + ".service from " + earlier
                + ", which comes before " + bed.systemdDir()), r.transcript());
    }

    private Map<String, String> env(String key, Path dir) {
        Map<String, String> env = new HashMap<>(bed.env());
        env.remove("IOC_RUNNER_SYSTEMD_DIR");
        env.put(key, dir.toString());
        return env;
    }

    /** Names (with link targets) of this run's entries in {@code dir} and its {@code *.wants} subdirectories. */
    private List<String> ourEntries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        String base = bed.prefix().substring(0, bed.prefix().length() - 2);
        try (Stream<Path> s = Files.walk(dir, 2)) {
            List<String> entries = new ArrayList<>();
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(base)).sorted().toList()) {
                entries.add(dir.relativize(p) + (Files.isSymbolicLink(p) ? " -> " + Files.readSymbolicLink(p) : ""));
            }
            return entries;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
