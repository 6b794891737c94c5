package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.ops.LogCapture;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.OtherUser;
import io.iocagent.testbed.TestBed;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The refresher against files nobody should have put where it reads. A 100 MB {@code *.conf} in
 * the conf directory (issue 10 D6, issue 14 item 7) once stopped the periodic poll for good,
 * silently; now it is refused without being read, counted once as a refresh error, logged once
 * naming the file, and the poll goes on for every other IOC. A procServ log replaced by a link to
 * a private file (D8) once put a line of that file in {@code LastError}; now it says why the log
 * is not read.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RefresherHostileFilesIT {

    @Test
    void aHugeConfIsCountedLoggedOnceAndThePollKeepsGoing() throws Exception {
        try (TestBed bed = TestBed.open();
             LogCapture log = new LogCapture("io.iocagent.model")) {
            Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), Account.current(bed.env()));
            Files.createDirectories(layout.confDir());
            String good = bed.iocName("good");
            writeConf(layout.confDir().resolve(good + ".conf"), bed.iocBoot(good, Behaviour.HEALTHY));
            String big = bed.iocName("big");
            Path bigConf = layout.confDir().resolve(big + ".conf");
            try (RandomAccessFile f = new RandomAccessFile(bigConf.toFile(), "rw")) {
                f.setLength(100L * 1024 * 1024); // sparse: 100 MB of NULs that cost no disk
            }
            try (Refresher refresher = new Refresher(layout, () -> SystemdBus.connect(bed.busAddress(),
                    Duration.ofSeconds(5)), Duration.ofMillis(200), Clock.systemUTC())) {
                refresher.start();
                TestBed.await(Duration.ofSeconds(30), "a refresh error for " + bigConf + " and IOC " + good + " listed",
                        () -> refresher.current().refreshErrors() >= 1 && refresher.current().iocs().containsKey(good));
                Snapshot first = refresher.current();
                Instant firstTaken = first.takenAt();

                String later = bed.iocName("later");
                writeConf(layout.confDir().resolve(later + ".conf"), bed.iocBoot(later, Behaviour.HEALTHY));
                TestBed.await(Duration.ofSeconds(30), "IOC " + later + " listed by a later poll",
                        () -> refresher.current().iocs().containsKey(later));
                TestBed.await(Duration.ofSeconds(30), "LastRefresh moving on after the huge conf",
                        () -> refresher.current().takenAt().isAfter(firstTaken.plusMillis(400)));

                Snapshot now = refresher.current();
                assertEquals(first.refreshErrors(), now.refreshErrors(),
                        "the huge conf counts once (per version of the file), not at every poll");
                assertTrue(now.iocs().containsKey(big), "the huge conf's IOC is still listed (broken), " + now.iocs().keySet());
                List<String> warnings = log.lines(Level.WARNING).stream().filter(l -> l.contains(big)).toList();
                assertEquals(1, warnings.size(), "logged once: " + log.lines());
                assertTrue(warnings.get(0).contains("file too large (104857600 bytes, limit"), warnings.get(0));
            }
        }
    }

    @Test
    void aLogReplacedByALinkGivesLogNotReadableInLastErrorAndNothingOfItsTarget() throws Exception {
        try (TestBed bed = TestBed.open(); OtherUser other = OtherUser.create()) {
            Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), Account.current(bed.env()));
            Files.createDirectories(layout.confDir());
            Files.createDirectories(layout.logDir());
            String name = bed.iocName("linkedlog");
            writeConf(layout.confDir().resolve(name + ".conf"), bed.iocBoot(name, Behaviour.HEALTHY));
            Path secret = OtherUser.rootFile(bed.root().resolve("private.txt"),
                    "@@@ The PID of new child \"x\" is: 4242\nFATAL: private-line-91c2\n", "rw-------");
            Files.setPosixFilePermissions(bed.root(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            other.owns(layout.logDir());
            other.as("ln", "-s", secret.toString(), layout.logDir().resolve(name + ".log").toString());
            try (Refresher refresher = new Refresher(layout, () -> SystemdBus.connect(bed.busAddress(),
                    Duration.ofSeconds(5)), Duration.ofMillis(200), Clock.systemUTC())) {
                refresher.start();
                TestBed.await(Duration.ofSeconds(30), "IOC " + name + " with a LastError about its log",
                        () -> refresher.current().iocs().containsKey(name)
                                && !refresher.current().iocs().get(name).lastError().isEmpty());
                String lastError = refresher.current().iocs().get(name).lastError();
                assertTrue(!lastError.contains("private-line-91c2"), "LastError quoted a private file: " + lastError);
                assertEquals("log not readable: " + layout.logDir().resolve(name + ".log")
                        + " is a symbolic link, which is not followed", lastError);
            }
        }
    }

    private static void writeConf(Path file, Path iocBoot) throws Exception {
        Files.writeString(file, "IOC_CMD=\"./st.cmd\"\nIOC_CHDIR=\"" + iocBoot + "\"\n");
    }
}
