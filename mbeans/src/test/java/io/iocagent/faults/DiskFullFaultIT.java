package io.iocagent.faults;

import static io.iocagent.testbed.ModelRecorder.ioc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Refresher;
import io.iocagent.model.Snapshot;
import io.iocagent.ops.Generator;
import io.iocagent.ops.Installer;
import io.iocagent.ops.OperationException;
import io.iocagent.ops.Session;
import io.iocagent.posix.Account;
import io.iocagent.testbed.Behaviour;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.SystemdException;
import io.iocagent.testbed.ScriptTerminal;
import io.iocagent.testbed.TestBed;
import io.iocagent.testbed.Tmpfs;
import io.iocagent.testbed.ModelBed;
import io.iocagent.testbed.ModelRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Disk full, on a real file system that runs out of space (a small tmpfs mounted over the
 * directory): with the log directory full the model keeps refreshing and keeps the IOC as it was,
 * and follows the log again once there is room; an install into a full conf directory fails with
 * the reason and leaves the installed conf as it was and no staged file behind.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DiskFullFaultIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aFullLogDirectoryStopsNeitherTheModelNorItsReadingOnceThereIsRoomAgain() throws Exception {
        withReadyIocOnASmallLogDirectory("logfull", (bed, logs, refresher, name, ready, rec) -> {
            long errorsBefore = refresher.current().refreshErrors();
            logs.fill();
            long filled = System.nanoTime();
            int mark = rec.mark();
            // Three more polls with the log directory full.
            rec.await("three polls after the log directory filled up", mark, WAIT,
                    s -> rec.all().stream().filter(seen -> seen.nanos() > filled).count() >= 3);
            Snapshot full = refresher.current();
            IocSnapshot i = full.iocs().get(name);
            assertEquals(Readiness.READY, i.readiness(), "IOC " + name + " with its log directory full");
            assertEquals(ready.mainPid(), i.mainPid());
            assertEquals(ready.childPid(), i.childPid());
            assertEquals(errorsBefore, full.refreshErrors(), "reading a log on a full file system is no refresh error");
            assertEquals("active", bed.bed().activeState(bed.unit(name).toString()), "procServ runs on, systemd agrees");

            logs.free();
            ProcessHandle.of(ready.childPid()).orElseThrow().destroyForcibly();
            rec.await(name + " the child's death read once there is room", mark, WAIT, ioc(name,
                    s -> s.childRestarts() == 1 && s.lastExit() != null && s.lastExit().pid() == ready.childPid()
                            && s.lastExit().signal() == 9));
            rec.await(name + " READY again", mark, WAIT, ioc(name, s -> s.readiness() == Readiness.READY
                    && s.childPid() > 0 && s.childPid() != ready.childPid()));
        });
    }

    /**
     * The child dies while the log directory is full: procServ cannot log the death, nor the new
     * child it starts, nor that child's marker. The death still counts (a restart, an exit of
     * unknown reason), the model follows the new child by its process, and once there is room the
     * next death is read from the log as usual: nothing lost, nothing wedged.
     */
    @Test
    void aChildThatDiesWhileTheLogDirectoryIsFullIsStillCountedAndTheNextOneIsFollowed() throws Exception {
        withReadyIocOnASmallLogDirectory("diefull", (bed, logs, refresher, name, ready, rec) -> {
            Path log = bed.layout().logDir().resolve(name + ".log");
            logs.fill();
            long logBytes = fillLastPage(log);
            int mark = rec.mark();
            ProcessHandle.of(ready.childPid()).orElseThrow().destroyForcibly();
            rec.await(name + ": the death counted and the next child followed with the log directory full", mark, WAIT,
                    ioc(name, s -> s.childRestarts() == 1 && s.childPid() > 0 && s.childPid() != ready.childPid()));
            IocSnapshot after = refresher.current().iocs().get(name);
            assertEquals(logBytes, Files.size(log), "procServ could write nothing to the full log directory");
            assertTrue(after.lastExit() != null && after.lastExit().pid() == ready.childPid(),
                    "IOC " + name + ": LastExit names the child that died unlogged: " + after.lastExit());
            assertEquals(Map.of("unknown", 1L), after.childExits(), "IOC " + name + ": an exit of unknown reason counted");
            assertTrue(ProcessHandle.of(after.childPid()).isPresent(), "the followed child " + after.childPid() + " lives");
            assertEquals("active", bed.bed().activeState(bed.unit(name).toString()), "procServ runs on, systemd agrees");

            logs.free();
            int freed = rec.mark();
            ProcessHandle.of(after.childPid()).orElseThrow().destroyForcibly();
            rec.await(name + ": the next death read from the log once there is room", freed, WAIT, ioc(name,
                    s -> s.childRestarts() == 2 && s.lastExit() != null && s.lastExit().pid() == after.childPid()
                            && s.lastExit().signal() == 9));
            rec.await(name + " READY again", freed, WAIT, ioc(name, s -> s.readiness() == Readiness.READY
                    && s.childPid() > 0 && s.childPid() != after.childPid()));
            assertEquals(Map.of("unknown", 1L, "signal_KILL", 1L), refresher.current().iocs().get(name).childExits());
        });
    }

    @Test
    void installIntoAFullConfDirectoryFailsWithTheReasonAndWritesNothing() throws Exception {
        try (TestBed bed = TestBed.open();
             SystemdBus bus = connect(bed);
             Tmpfs confs = Tmpfs.mount(bed.confDir(), 64 * 1024)) {
            List<String> lines = new ArrayList<>();
            Account account = Account.current(bed.env());
            Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), account);
            Session session = Session.onSharedBus(layout, account, bed.env(), ScriptTerminal.into(lines), true, bus);
            String name = bed.iocName("conffull");
            String boot = bed.iocBoot(name, Behaviour.HEALTHY).toString();
            new Generator(session).generate(boot);
            new Installer(session).install(boot);
            Path conf = layout.confDir().resolve(name + ".conf");
            byte[] installed = Files.readAllBytes(conf);

            confs.fill();
            OperationException e = assertThrows(OperationException.class, () -> new Installer(session).install(boot),
                    "install on a full file system must fail");
            assertTrue(e.fullText().contains("No space left on device"), e.fullText());
            assertTrue(e.fullText().contains(conf.toString()), "the message names the file: " + e.fullText());
            assertArrayEquals(installed, Files.readAllBytes(conf), "the installed conf is as it was");
            try (Stream<Path> files = Files.list(layout.confDir())) {
                assertEquals(List.of(".disk-full-filler", name + ".conf"),
                        files.map(p -> p.getFileName().toString()).sorted().toList(), "no staged file left behind");
            }
        }
    }

    /** A test's body, given a READY stand-in {@code name} whose log directory is a 512 KiB tmpfs. */
    private interface OnSmallLogDirectory {
        void run(ModelBed bed, Tmpfs logs, Refresher refresher, String name, IocSnapshot ready, ModelRecorder rec)
                throws Exception;
    }

    /** Runs {@code body} on a READY stand-in named after {@code base}, its log directory a 512 KiB tmpfs; stops it after. */
    private static void withReadyIocOnASmallLogDirectory(String base, OnSmallLogDirectory body) throws Exception {
        try (ModelBed bed = ModelBed.open();
             Tmpfs logs = Tmpfs.mount(bed.layout().logDir(), 512 * 1024);
             Refresher refresher = bed.refresher(Duration.ofSeconds(1))) {
            String name = bed.bed().iocName(base);
            IocSnapshot ready = bed.startReady(refresher, name);
            try {
                body.run(bed, logs, refresher, name, ready, ModelRecorder.of(refresher));
            } finally {
                bed.operator().stop(bed.unit(name), ModelBed.JOB_TIMEOUT);
            }
        }
    }

    /**
     * Appends blank lines to {@code log} until the file system refuses more: a full file system
     * still takes writes into the free end of a file's last page, so procServ's next lines would
     * land there. Blank lines mean nothing to the log reader.
     *
     * @return the log's size then
     */
    private static long fillLastPage(Path log) throws java.io.IOException {
        byte[] blank = new byte[64];
        java.util.Arrays.fill(blank, (byte) '\n');
        try (java.io.OutputStream out = Files.newOutputStream(log, java.nio.file.StandardOpenOption.APPEND)) {
            for (int i = 0; i < 4096 / blank.length + 1; i++) {
                out.write(blank);
                out.flush();
            }
            throw new AssertionError("the full file system took " + Files.size(log) + " bytes more of " + log);
        } catch (java.io.IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return Files.size(log);
    }

    private static SystemdBus connect(TestBed bed) {
        try {
            return SystemdBus.connect(bed.busAddress(), ModelBed.CALL_TIMEOUT);
        } catch (SystemdException e) {
            TestBed.requireOrSkip(false, "cannot reach the user manager: " + e.problem());
            throw e;
        }
    }
}
