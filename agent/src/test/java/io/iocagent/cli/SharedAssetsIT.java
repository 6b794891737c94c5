package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void firstInstallDeploysTemplateAndRotationAndLinksThemIntoTheManager() throws IOException {
        String name = bed.iocName("assets");
        CliRun r = CliRun.of(bed.env(), "--local", "install", iocDir(name).toString());
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(Files.isRegularFile(template()));
        assertTrue(r.out().contains("Deployed user-level systemd template to " + template()), r.transcript());
        // The test bed's unit directory is off the manager's search path, so install links it.
        assertTrue(Files.isSymbolicLink(TestBed.userUnitConfigDir().resolve(bed.prefix() + ".service")), r.transcript());
        assertTrue(r.out().contains("Linked " + template()), r.transcript());
        assertEquals("loaded", bed.systemctl("show", "-P", "LoadState", bed.unit(name)).trim());

        Path cfg = bed.confDir().getParent().resolve("ioc-runner/logrotate.conf");
        assertTrue(Files.readString(cfg).startsWith(bed.logDir() + "/*.log {"), "rotation config: " + cfg);
        assertTrue(Files.isRegularFile(bed.systemdDir().resolve(stem() + ".service")));
        assertTrue(Files.isRegularFile(bed.systemdDir().resolve(stem() + ".timer")));
        assertTrue(Files.isSymbolicLink(TestBed.userUnitConfigDir().resolve("timers.target.wants").resolve(stem() + ".timer")),
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
}
