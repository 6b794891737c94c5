package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.ops.Lifecycle;
import io.iocagent.ops.OperationException;
import io.iocagent.ops.SystemdConnector;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.WireUnitControl;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.CommandLineSession;
import io.iocagent.testbed.TestBed;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the D-Bus calls of {@code start}, {@code stop} and {@code restart} on the command line's
 * lean path ({@link SystemdConnector#control}) against a real user manager, as
 * {@code ReadOnlyCallsIT} does for the reading commands: no dbus-java at all, and on the user
 * manager's private socket every call one the command needs.
 */
class JobCallsIT {

    private static TestBed bed;
    private static String first;
    private static String second;

    @BeforeAll
    static void twoInstalledIocs() {
        bed = TestBed.open();
        first = bed.iocName("jobs-a");
        second = bed.iocName("jobs-b");
        for (String name : List.of(first, second)) {
            Path dir = bed.iocBoot(name, Behaviour.HEALTHY);
            assertEquals(0, CliRun.of(bed.env(), "--local", "generate", dir.toString()).exit());
            assertEquals(0, CliRun.of(bed.env(), "--local", "install", dir.toString()).exit());
        }
    }

    @AfterAll
    static void cleanUp() {
        if (bed != null) {
            bed.close();
        }
    }

    /** Runs {@code command} in a session whose control is the command line's; returns the calls made. */
    private static int calls(String what, Command command) throws OperationException {
        CommandLineSession.Opened opened = CommandLineSession.run(bed, what, s -> command.run(new Lifecycle(s)));
        assertEquals(1, opened.controls().size(), what + ": one connection");
        assertTrue(opened.controls().get(0) instanceof WireUnitControl,
                what + ": the lean path, not " + opened.controls().get(0));
        return ((WireUnitControl) opened.controls().get(0)).calls();
    }

    @FunctionalInterface
    private interface Command {
        void run(Lifecycle lifecycle) throws OperationException;
    }

    @Test
    void startStopAndRestartMakeTheirPinnedNumberOfCallsWithoutDbusJava() throws OperationException {
        // The state the operations read is one pipelined round trip of five Gets (load, active and
        // sub state, ActiveEnterTimestamp, unit file state).
        assertEquals(13, calls("start", l -> assertTrue(l.start(new IocName(first)).isActive())),
                "start (local): Reload, the state before, Subscribe, StartUnit, the state after");
        assertEquals(7, calls("stop", l -> assertEquals("inactive", l.stop(new IocName(first)).activeState())),
                "stop: Subscribe, StopUnit, the state after");
        assertEquals(13, calls("restart of a stopped IOC", l -> assertTrue(l.restart(new IocName(first)).isActive())),
                "restart: as start, with RestartUnit");
        assertEquals(18, calls("start of a running IOC", l -> assertTrue(l.start(new IocName(first)).isActive())),
                "start of a running IOC: as start, and one more state to confirm it is still running");
        assertEquals(7, calls("stop", l -> l.stop(new IocName(first))), "stop again");
    }

    @Test
    void twoStartsAtOnceEachTakeOnlyTheirOwnJobsEnd() throws Exception {
        CompletableFuture<UnitState> a = CompletableFuture.supplyAsync(() -> startOrFail(first));
        CompletableFuture<UnitState> b = CompletableFuture.supplyAsync(() -> startOrFail(second));
        assertTrue(a.get().isActive() && b.get().isActive(), "both started: " + a.get() + " / " + b.get());
        assertEquals("active", bed.activeState(bed.unit(first)), "systemd agrees for " + first);
        assertEquals("active", bed.activeState(bed.unit(second)), "systemd agrees for " + second);
        assertEquals(0, CliRun.of(bed.env(), "--local", "stop", first).exit());
        assertEquals(0, CliRun.of(bed.env(), "--local", "stop", second).exit());
        assertEquals("inactive", bed.activeState(bed.unit(first)));
    }

    private static UnitState startOrFail(String name) {
        try {
            UnitState[] started = new UnitState[1];
            CommandLineSession.run(bed, "start of " + name, s -> started[0] = new Lifecycle(s).start(new IocName(name)));
            return started[0];
        } catch (OperationException e) {
            throw new AssertionError("start of " + name + " failed: " + e.getMessage(), e);
        }
    }
}
