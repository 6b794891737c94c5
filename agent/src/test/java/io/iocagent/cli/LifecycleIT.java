package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's lifecycle verbs end to end on the real user manager and real procServ running
 * stand-in IOCs: generate → install → start → restart → stop → enable → disable → remove, plus
 * the gates that must refuse (unknown names, running units, declined prompts).
 */
class LifecycleIT {

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

    private static CliRun cli(String... args) {
        return CliRun.of(bed.env(), args);
    }

    private static CliRun cliWithInput(String stdin, String... args) {
        return CliRun.withInput(bed.env(), stdin, args);
    }

    /** Generates and installs a stand-in IOC; returns its name. */
    private static String installed(String base, Behaviour behaviour) {
        String name = bed.iocName(base);
        Path dir = bed.iocBoot(name, behaviour);
        CliRun gen = cli("--local", "generate", dir.toString());
        assertEquals(0, gen.exit(), gen.transcript());
        CliRun inst = cli("--local", "install", dir.toString());
        assertEquals(0, inst.exit(), inst.transcript());
        return name;
    }

    private static String mainPid(String unit) {
        return bed.systemctl("show", "-P", "MainPID", unit).trim();
    }

    /** Reads procServ's greeting from the IOC's console socket: proof it listens. */
    private static String consoleBanner(Path socket) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            StringBuilder text = new StringBuilder();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!text.toString().contains("connected (plus you)") && System.nanoTime() < deadline) {
                buf.clear();
                if (ch.read(buf) < 0) {
                    break;
                }
                text.append(new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1));
            }
            return text.toString();
        }
    }

    @Test
    void fullLifecycleOfAHealthyStandinIoc() throws Exception {
        String name = installed("life", Behaviour.HEALTHY);
        String unit = bed.unit(name);
        Path conf = bed.confDir().resolve(name + ".conf");
        Path socket = bed.runDir().resolve(name).resolve("control");
        String user = System.getProperty("user.name");
        assertTrue(Files.readString(conf).endsWith("IOC_PORT=\"unix:" + user + ":" + Files.readAttributes(conf,
                java.nio.file.attribute.PosixFileAttributes.class).group().getName() + ":0660:" + socket + "\"\n"),
                Files.readString(conf));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)));

        CliRun start = cli("--local", "start", name);
        assertEquals(0, start.exit(), start.transcript());
        assertEquals("active", bed.activeState(unit));
        TestBed.await(Duration.ofSeconds(10), "the console socket " + socket, () -> Files.exists(socket));
        assertTrue(consoleBanner(socket).contains("@@@ Welcome to procServ"));
        TestBed.await(Duration.ofSeconds(10), "the readiness marker in the log", () -> logContains(name, "All initialization complete"));

        String pid = mainPid(unit);
        CliRun restart = cli("--local", "restart", name);
        assertEquals(0, restart.exit(), restart.transcript());
        assertEquals("active", bed.activeState(unit));
        assertNotEquals(pid, mainPid(unit), "restart must give a new procServ");

        CliRun status = cli("--local", "status", name);
        assertEquals(0, status.exit(), status.transcript());
        assertTrue(status.out().contains("State:     active (running)"), status.out());
        assertTrue(status.out().contains("Main PID:  " + mainPid(unit)), status.out());
        assertTrue(status.out().contains("iocRun: All initialization complete"), "the procServ log tail: " + status.out());

        CliRun view = cli("--local", "view", name);
        assertEquals(0, view.exit(), view.transcript());
        assertTrue(view.out().contains("1. IOC Configuration File: " + conf));
        assertTrue(view.out().contains("IOC_CMD=\"./st.cmd\""));
        assertTrue(view.out().contains("ExecStart=/usr/bin/procServ --foreground --logfile=" + bed.logDir() + "/%i.log"),
                view.out());

        CliRun stop = cli("--local", "stop", name);
        assertEquals(0, stop.exit(), stop.transcript());
        assertEquals("inactive", bed.activeState(unit));
        CliRun stoppedStatus = cli("--local", "status", name);
        assertEquals(3, stoppedStatus.exit(), stoppedStatus.transcript());

        Path wants = TestBed.userUnitConfigDir().resolve("default.target.wants").resolve(unit);
        CliRun enable = cli("--local", "enable", name);
        assertEquals(0, enable.exit(), enable.transcript());
        assertTrue(Files.isSymbolicLink(wants), "enable must create " + wants);
        assertTrue(enable.err().contains("Created symlink"), enable.transcript());
        CliRun disable = cli("--local", "disable", name);
        assertEquals(0, disable.exit(), disable.transcript());
        assertFalse(Files.exists(wants, java.nio.file.LinkOption.NOFOLLOW_LINKS), "disable must remove " + wants);

        CliRun remove = cli("--local", "remove", name);
        assertEquals(0, remove.exit(), remove.transcript());
        assertTrue(remove.out().contains("IOC " + name + " removed."));
        assertFalse(Files.exists(conf));
        assertTrue(Files.exists(bed.logDir().resolve(name + ".log")), "logs are never deleted");
    }

    private static boolean logContains(String name, String text) {
        try {
            Path log = bed.logDir().resolve(name + ".log");
            return Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void removeStopsARunningIoc() {
        String name = installed("rmrun", Behaviour.HEALTHY);
        assertEquals(0, cli("--local", "start", name).exit());
        CliRun remove = cli("--local", "remove", name);
        assertEquals(0, remove.exit(), remove.transcript());
        assertEquals("inactive", bed.activeState(bed.unit(name)));
    }

    @Test
    void verbsOnAnUnknownNameFailWithoutInstantiatingTheTemplate() {
        installed("known", Behaviour.HEALTHY); // the template exists, so systemd could instantiate anything
        String ghost = bed.iocName("ghost");
        for (String verb : new String[] {"start", "restart", "stop", "enable", "disable", "remove"}) {
            CliRun r = cli("--local", verb, ghost);
            assertEquals(1, r.exit(), verb + ": " + r.transcript());
            assertTrue(r.err().contains("Error: No configuration found for IOC '" + ghost + "'"), r.transcript());
            assertTrue(r.err().contains("  -> Nothing to " + verb), r.transcript());
        }
        assertEquals("inactive", bed.activeState(bed.unit(ghost)));
        assertFalse(Files.exists(TestBed.userUnitConfigDir().resolve("default.target.wants").resolve(bed.unit(ghost)),
                java.nio.file.LinkOption.NOFOLLOW_LINKS));
        CliRun view = cli("--local", "view", ghost);
        assertEquals(1, view.exit());
        assertTrue(view.err().contains("Error: Configuration file not found at"), view.transcript());
    }

    @Test
    void installRefusesWhileTheIocRuns() {
        String name = installed("busy", Behaviour.HEALTHY);
        assertEquals(0, cli("--local", "start", name).exit());
        CliRun again = cli("--local", "install", bed.root().resolve("iocs").resolve(name).toString(), "-f");
        assertEquals(1, again.exit(), again.transcript());
        assertTrue(again.err().contains("Error: Operation aborted. Service '" + bed.unit(name) + "' is currently 'active'."),
                again.transcript());
        assertEquals(0, cli("--local", "stop", name).exit());
    }

    @Test
    void overwritePromptEofAndDeclineKeepTheInstalledFile() throws IOException {
        String name = installed("prompt", Behaviour.HEALTHY);
        Path source = bed.root().resolve("iocs").resolve(name).resolve(name + ".conf");
        Path conf = bed.confDir().resolve(name + ".conf");
        Files.writeString(source, Files.readString(source) + "EPICS_CA_SERVER_PORT=\"5999\"\n");
        String before = Files.readString(conf);
        FileTime mtime = Files.getLastModifiedTime(conf);

        CliRun eof = cliWithInput("", "--local", "install", source.toString());
        assertEquals(1, eof.exit(), eof.transcript());
        assertTrue(eof.err().contains("Info: Input stream closed (EOF). Aborting installation."), eof.transcript());
        CliRun no = cliWithInput("n\n", "--local", "install", source.toString());
        assertEquals(1, no.exit(), no.transcript());
        assertTrue(no.out().contains("Installation aborted by user."), no.transcript());
        assertEquals(before, Files.readString(conf));
        assertEquals(mtime, Files.getLastModifiedTime(conf));

        CliRun yes = cliWithInput("y\n", "--local", "install", source.toString());
        assertEquals(0, yes.exit(), yes.transcript());
        assertTrue(Files.readString(conf).contains("EPICS_CA_SERVER_PORT=\"5999\""));
    }

    @Test
    void invalidConfigurationIsRejectedWithEveryErrorAndNothingWritten() throws IOException {
        String name = bed.iocName("invalid");
        Path source = bed.root().resolve(name + ".conf");
        Files.writeString(source, "IOC_USER=\"nobody-here\"\nIOC_GROUP=\"\"\nIOC_CHDIR=\"relative/dir\"\nIOC_CMD=\"./st.cmd -x\"\n");
        CliRun r = cli("--local", "install", source.toString());
        assertEquals(1, r.exit(), r.transcript());
        assertTrue(r.err().contains("Error: Required variable IOC_GROUP is missing or empty."), r.transcript());
        assertTrue(r.err().contains("Error: Local IOCs must run as "), r.transcript());
        assertTrue(r.err().contains("Error: IOC_CHDIR must be an absolute path: relative/dir"), r.transcript());
        assertTrue(r.err().contains("Validation failed with "), r.transcript());
        assertFalse(Files.exists(bed.confDir().resolve(name + ".conf")));
    }

    @Test
    void fileNameDecidesTheIocNameAndBadNamesAreRefused() throws IOException {
        Path bad = bed.root().resolve("my.ioc.conf");
        Files.writeString(bad, "IOC_USER=\"x\"\n");
        CliRun r = cli("--local", "install", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Error: Invalid IOC name 'my.ioc'"), r.transcript());

        CliRun missing = cli("--local", "install", bed.root().resolve("iocs").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("Configuration file 'iocs.conf' not found in directory"), missing.transcript());
        assertTrue(missing.err().contains("Hint: Did you run 'ioc-runner --local generate"), missing.transcript());
    }
}
