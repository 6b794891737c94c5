package io.iocagent.cli;

import io.iocagent.ops.SystemdConnector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.ops.ConsoleTarget;
import io.iocagent.ops.ListReport;
import io.iocagent.ops.OperationException;
import io.iocagent.ops.StatusReport;
import io.iocagent.ops.UnitView;
import io.iocagent.systemd.WireUnitQuery;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.CommandLineSession;
import io.iocagent.testbed.TestBed;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the D-Bus calls each read-only command makes through the command line's own query path
 * ({@link SystemdConnector#queries}) against a real user manager, so they cannot creep back: a
 * plain {@code list} is one {@code ListUnitsByPatterns} whatever the number of IOCs, and no
 * read-only command touches dbus-java (no {@code Hello}, {@code AddMatch} or {@code Subscribe}).
 * The fleet: one running IOC and one installed but never started.
 */
class ReadOnlyCallsIT {

    private static TestBed bed;
    private static String running;
    private static String stopped;

    @BeforeAll
    static void oneRunningOneStopped() {
        bed = TestBed.open();
        running = bed.iocName("calls-running");
        stopped = bed.iocName("calls-stopped");
        for (String name : List.of(running, stopped)) {
            Path dir = bed.iocBoot(name, Behaviour.HEALTHY);
            assertEquals(0, CliRun.of(bed.env(), "--local", "generate", dir.toString()).exit());
            assertEquals(0, CliRun.of(bed.env(), "--local", "install", dir.toString()).exit());
        }
        assertEquals(0, CliRun.of(bed.env(), "--local", "start", running).exit());
    }

    @AfterAll
    static void cleanUp() {
        if (bed != null) {
            bed.close();
        }
    }

    /** Runs {@code command} in a session whose queries are the command line's; returns the calls made. */
    private static int calls(String what, CommandLineSession.Command command) throws OperationException {
        CommandLineSession.Opened opened = CommandLineSession.run(bed, what + " (read-only)", command);
        assertEquals(List.of(), opened.controls(), what + " is read-only: no job connection");
        assertEquals(1, opened.queries().size(), what + ": one query connection");
        assertTrue(opened.queries().get(0) instanceof WireUnitQuery,
                what + ": the lean query path, not " + opened.queries().get(0));
        return opened.queries().get(0).calls();
    }

    @Test
    void eachReadOnlyCommandMakesItsPinnedNumberOfCalls() throws OperationException {
        // On the user manager's private socket there is no Hello: every call is one the command needs.
        assertEquals(1, calls("list", s -> new ListReport(s).collect(ListReport.Detail.BASIC)),
                "list: one ListUnitsByPatterns");
        assertEquals(3, calls("list -v", s -> new ListReport(s).collect(ListReport.Detail.PROCESS)),
                "list -v: the listing, then MainPID and ControlGroup of the one running IOC (CPU and memory from its cgroup)");
        assertEquals(3, calls("list -vv", s -> new ListReport(s).collect(ListReport.Detail.SOCKET)),
                "list -vv: as -v; sockets come from netlink, not D-Bus");
        assertEquals(5, calls("list --json", s -> new ListReport(s).collect(ListReport.Detail.FULL)),
                "list --json: as -v, plus GetUnitFileState for each of the two IOCs");
        assertEquals(7, calls("status", s -> new StatusReport(s).show(new IocName(running))),
                "status: one Get for each of the seven properties it prints");
        assertEquals(3, calls("view", s -> new UnitView(s).show(new IocName(stopped))),
                "view: LoadState, FragmentPath, DropInPaths");
        assertEquals(1, calls("inspect/attach/monitor target", s -> ConsoleTarget.resolve(s, new IocName(running))),
                "the console target: ActiveState only");
    }
}
