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
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** attach and monitor through the command line, on a stand-in IOC run by procServ under the user manager. */
class ConsoleIT {

    private static TestBed bed;
    private static String name;

    @BeforeAll
    static void startIoc() {
        bed = TestBed.open();
        name = bed.iocName("console");
        Path dir = bed.iocBoot(name, Behaviour.HEALTHY);
        assertEquals(0, CliRun.of(bed.env(), "--local", "generate", dir.toString()).exit());
        assertEquals(0, CliRun.of(bed.env(), "--local", "install", dir.toString()).exit());
        CliRun start = CliRun.of(bed.env(), "--local", "start", name);
        assertEquals(0, start.exit(), start.transcript());
    }

    @AfterAll
    static void closeTestBed() {
        if (bed != null) {
            bed.close();
        }
    }

    private static String log() {
        try {
            return Files.readString(bed.logDir().resolve(name + ".log"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void attachSendsALineAndShowsTheIocsEcho() {
        CliRun r = CliRun.withInput(bed.env(), "echo-from-attach\n", "--local", "attach", name);
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(r.out().contains("@@@ Welcome to procServ"), r.transcript());
        assertTrue(r.out().contains("echo-from-attach"), r.transcript());
        assertFalse(r.out().contains("\u00ff"), "telnet negotiation bytes must be stripped");
        TestBed.await(Duration.ofSeconds(5), "the attached line in the IOC's log", () -> log().contains("echo-from-attach"));
    }

    @Test
    void monitorNeverWritesToTheIoc() throws InterruptedException {
        CliRun r = CliRun.withInput(bed.env(), "typed-into-monitor\n\u0001", "--local", "monitor", name);
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(r.out().contains("Monitoring " + name + " (Read-Only Mode)"), r.transcript());
        Thread.sleep(2000);
        assertFalse(log().contains("typed-into-monitor"), "monitor input reached the IOC");
    }

    @Test
    void attachToAnUnknownIocNamesTheMissingConfiguration() {
        CliRun r = CliRun.of(bed.env(), "--local", "attach", bed.iocName("nothere"));
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Error: Configuration for " + bed.iocName("nothere") + " not found."), r.transcript());
    }
}
