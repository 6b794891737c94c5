package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.iocagent.crash.ChildExit;
import io.iocagent.testbed.EpicsBase;
import io.iocagent.testbed.EpicsIoc;
import io.iocagent.testbed.ModelBed;
import io.iocagent.testbed.TestBed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Why a child died, on real softIocs under real procServ and the user manager: the model's
 * {@code lastExit} names the signal or the exit status procServ logged, and the exits are counted
 * by that reason. procServ restarts a dying child after one second ({@code --holdoff=1}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ChildExitIT {

    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private ModelBed model;

    @BeforeAll
    void setUp() {
        model = ModelBed.open();
        EpicsBase.require();
    }

    @AfterAll
    void tearDown() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void aSoftIocKilledBySegvThenByKillNamesEachSignalAndCountsIt() throws Exception {
        String name = model.bed().iocName("sig");
        Path dir = model.bed().epicsBoot(name, EpicsIoc.HEALTHY, false, name + ":");
        model.install(name, dir, EpicsBase.Ports.free().confLines());
        try (Refresher refresher = model.refresher(Duration.ofSeconds(2))) {
            refresher.start();
            TestBed.await(WAIT, name + " installed", () -> refresher.current().iocs().containsKey(name));
            model.operator().start(model.unit(name), JOB_TIMEOUT);
            int first = readyChild(refresher, name, -1);

            kill("SEGV", first);
            IocSnapshot segv = awaitIoc(refresher, name + " LastExit signal_SEGV of child " + first,
                    i -> i.lastExit() != null && i.lastExit().pid() == first);
            assertEquals("signal_SEGV", segv.lastExit().reason(), "IOC " + name + ": " + segv.lastExit());
            assertNotNull(segv.lastExit().at(), "a live exit is dated");
            assertEquals(1L, segv.childExits().get("signal_SEGV"), "exits by reason: " + segv.childExits());

            int second = readyChild(refresher, name, first);
            kill("KILL", second);
            IocSnapshot killed = awaitIoc(refresher, name + " LastExit of child " + second,
                    i -> i.lastExit() != null && i.lastExit().pid() == second);
            assertEquals("signal_KILL", killed.lastExit().reason());
            assertEquals(1L, killed.childExits().get("signal_KILL"), "exits by reason: " + killed.childExits());
            assertEquals(1L, killed.childExits().get("signal_SEGV"), "the earlier exit still counts: " + killed.childExits());
            model.operator().stop(model.unit(name), JOB_TIMEOUT);
        }
    }

    @Test
    void aChildThatExitsWithStatusThreeIsReportedAsExit3() throws Exception {
        String name = model.bed().iocName("exit3");
        Path dir = model.bed().root().resolve("iocs").resolve(name);
        Files.createDirectories(dir);
        Path trigger = dir.resolve("exit-now");
        // A shell IOC: initializes, then exits 3 when the test creates the trigger file.
        Path cmd = Files.writeString(dir.resolve("st.cmd"), "#!/bin/sh\necho 'iocRun: All initialization complete'\n"
                + "while [ ! -e " + trigger + " ]; do sleep 0.1; done\nrm -f " + trigger + "\nexit 3\n");
        Files.setPosixFilePermissions(cmd, PosixFilePermissions.fromString("rwxr-xr-x"));
        model.install(name, dir, "");
        try (Refresher refresher = model.refresher(Duration.ofSeconds(2))) {
            refresher.start();
            TestBed.await(WAIT, name + " installed", () -> refresher.current().iocs().containsKey(name));
            model.operator().start(model.unit(name), JOB_TIMEOUT);
            int child = readyChild(refresher, name, -1);
            Files.createFile(trigger);
            IocSnapshot exited = awaitIoc(refresher, name + " LastExit of child " + child,
                    i -> i.lastExit() != null && i.lastExit().pid() == child);
            ChildExit exit = exited.lastExit();
            assertEquals("exit_3", exit.reason(), "IOC " + name + ": " + exit);
            assertEquals(1L, exited.childExits().get("exit_3"), "exits by reason: " + exited.childExits());
            model.operator().stop(model.unit(name), JOB_TIMEOUT);
        }
    }

    /** Waits for a READY child other than {@code not}; returns its PID. */
    private static int readyChild(Refresher refresher, String name, int not) {
        IocSnapshot ready = awaitIoc(refresher, name + " READY with a new child",
                i -> i.readiness() == Readiness.READY && i.childPid() > 0 && i.childPid() != not);
        return ready.childPid();
    }

    private static IocSnapshot awaitIoc(Refresher refresher, String what, Predicate<IocSnapshot> condition) {
        TestBed.await(WAIT, what, () -> {
            IocSnapshot i = refresher.current().iocs().get(nameOf(what));
            return i != null && condition.test(i);
        });
        return refresher.current().iocs().get(nameOf(what));
    }

    /** The IOC name is the first word of every {@code what} above. */
    private static String nameOf(String what) {
        return what.substring(0, what.indexOf(' '));
    }

    private static void kill(String signal, int pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + signal + " " + pid);
    }

}
