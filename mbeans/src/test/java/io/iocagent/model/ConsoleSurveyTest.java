package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.netlink.UnixSocket;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ConsoleSurveyTest {

    private static final UnixSocket.SocketFile FILE = new UnixSocket.SocketFile(42, 7);

    private static UnixSocket socket(UnixSocket.State state, Optional<UnixSocket.SocketFile> file) {
        return new UnixSocket(1000, UnixSocket.Type.STREAM, state, Optional.of("/run/procserv/x/control"), 0, 0, 5, 0, 5,
                OptionalInt.empty(), List.of(), file);
    }

    @Test
    void aListenerWhoseSocketFileIsStillAtThePathIsReachable() {
        assertTrue(ConsoleSurvey.reachable(socket(UnixSocket.State.LISTEN, Optional.of(FILE)), Optional.of(FILE)));
    }

    @Test
    void aListenerWhoseSocketFileWasDeletedIsNotReachable() {
        assertFalse(ConsoleSurvey.reachable(socket(UnixSocket.State.LISTEN, Optional.of(FILE)), Optional.empty()),
                "nobody can connect to a path whose file is gone: the console must read ABSENT, as status says");
    }

    @Test
    void aListenerWhosePathNowNamesAnotherSocketFileIsNotReachable() {
        assertFalse(ConsoleSurvey.reachable(socket(UnixSocket.State.LISTEN, Optional.of(FILE)),
                Optional.of(new UnixSocket.SocketFile(43, 7))));
    }

    @Test
    void connectedSocketsAndSocketsWithoutAFileIdentityAreKept() {
        assertTrue(ConsoleSurvey.reachable(socket(UnixSocket.State.ESTABLISHED, Optional.of(FILE)), Optional.empty()));
        assertTrue(ConsoleSurvey.reachable(socket(UnixSocket.State.LISTEN, Optional.empty()), Optional.empty()));
    }

    // ---- processes of the IOC outside its unit ----

    private static ConsoleSurvey.Console holders(List<List<Integer>> holders) {
        return new ConsoleSurvey.Console(true, 1, 0, 5, List.of(), holders);
    }

    @Test
    void theHoldersOfAListenerTheUnitsProcServDoesNotHoldAreOrphans() {
        // the orphan procServ 300 and its child 301 beside the unit's procServ 200 and its child 201
        ConsoleSurvey.Console console = holders(List.of(List.of(300, 301), List.of(200, 201)));
        assertEquals(List.of(300, 301), IocFacts.orphanPids(console, 200), "IOC x: orphans beside MainPID 200");
    }

    @Test
    void withoutAMainPidEveryListenerHolderIsAnOrphan() {
        ConsoleSurvey.Console console = holders(List.of(List.of(301, 300)));
        assertEquals(List.of(300, 301), IocFacts.orphanPids(console, 0), "IOC x stopped, yet its console is held");
    }

    @Test
    void theUnitsOwnListenerAloneOrNoneLookedForIsNoOrphan() {
        assertEquals(List.of(), IocFacts.orphanPids(holders(List.of(List.of(200, 201))), 200));
        assertEquals(List.of(), IocFacts.orphanPids(new ConsoleSurvey.Console(true, 1, 0, 5, List.of()), 200));
        assertEquals(List.of(), IocFacts.orphanPids(ConsoleSurvey.Console.ABSENT, 0));
    }

    @Test
    void aMainPidOfZeroMakesEveryHolderAnOrphanAndTheIocsProcessesLeaveOutProcServ() {
        ConsoleSurvey.Console console = holders(List.of(List.of(0, 5), List.of(200, 201)));
        assertEquals(List.of(0, 5, 200, 201), IocFacts.orphanPids(console, 0), "no procServ: every holder is an orphan");
        assertEquals(List.of(0, 5), IocFacts.orphanPids(console, 200));
        assertEquals(List.of(201, 202), IocFacts.iocProcesses(List.of(200, 201, 202), 200), "procServ is not the IOC's");
        assertEquals(List.of(200, 201), IocFacts.iocProcesses(List.of(200, 201), -1));
    }
}
