package io.iocagent.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.netlink.UnixSocket;
import io.iocagent.netlink.UnixSocket.SocketFile;
import io.iocagent.netlink.UnixSocket.State;
import io.iocagent.netlink.UnixSocket.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleClientsTest {

    private static final Path CONSOLE = Path.of("/run/procserv/myioc/control");
    private static final int PROCSERV = 100;
    private static final int IOC = 101;
    private static final int SOCAT = 200;
    private static final int TELNET_LIKE = 201;

    @TempDir
    Path tmp;

    private FakeProc proc;

    @BeforeEach
    void processes() throws Exception {
        proc = new FakeProc(tmp.resolve("proc"))
                .process(PROCSERV, 1, "procServ", 'S', 1000, 0, 0, 100, 10, "procServ\0-f\0unix:/run/x\0")
                .process(IOC, PROCSERV, "softIoc", 'S', 1000, 0, 0, 200, 10, "softIoc\0st.cmd\0")
                .process(SOCAT, 50, "socat", 'S', 0, 0, 0, 5000, 10, "socat\0-\0UNIX-CONNECT:/run/x\0")
                .process(TELNET_LIKE, 50, "console", 'S', 1000, 0, 0, 6000, 10, "console\0");
    }

    private static UnixSocket listener(long inode, String path, Optional<SocketFile> file, int pending, int backlog) {
        return new UnixSocket(inode, Type.STREAM, State.LISTEN, Optional.of(path), 0, pending, backlog, 0, 0,
                OptionalInt.of(1000), List.of(), file);
    }

    private static UnixSocket accepted(long inode, String path, long peer) {
        return new UnixSocket(inode, Type.STREAM, State.ESTABLISHED, Optional.of(path), peer, 0, 0, 0, 0,
                OptionalInt.of(1000), List.of(), Optional.empty());
    }

    private static UnixSocket unnamed(long inode, long peer) {
        return new UnixSocket(inode, Type.STREAM, State.ESTABLISHED, Optional.empty(), peer, 0, 0, 0, 0,
                OptionalInt.of(0), List.of(), Optional.empty());
    }

    /** Listener 10 with two accepted connections 11 and 12 whose client ends are 21 and 22. */
    private List<UnixSocket> dumpWithTwoClients() {
        return List.of(
                listener(9, "/run/procserv/other/control", Optional.empty(), 0, 5),
                listener(10, CONSOLE.toString(), Optional.empty(), 0, 5),
                accepted(11, CONSOLE.toString(), 21), unnamed(21, 11),
                accepted(12, CONSOLE.toString(), 22), unnamed(22, 12),
                accepted(13, "/run/procserv/other/control", 23), unnamed(23, 13));
    }

    @Test
    void clientsAreTheHoldersOfThePeersOfTheAcceptedSockets() throws Exception {
        proc.socket(PROCSERV, 3, 10).socket(PROCSERV, 4, 11).socket(PROCSERV, 5, 12).socket(IOC, 3, 10)
                .socket(SOCAT, 5, 21).socket(TELNET_LIKE, 3, 22).socket(TELNET_LIKE, 4, 23);

        ConsoleClients c = ConsoleClients.trace(CONSOLE, dumpWithTwoClients(), proc.table(tmp));

        assertEquals(List.of(10L), c.listeners().stream().map(UnixSocket::inode).toList());
        assertEquals(List.of(11L, 12L), c.accepted().stream().map(UnixSocket::inode).toList());
        assertEquals(List.of(PROCSERV, IOC), c.serverPids());
        assertEquals(List.of(
                new ConsoleClient(SOCAT, "u0", "socat - UNIX-CONNECT:/run/x",
                        Optional.of(Instant.ofEpochSecond(FakeProc.BOOT + 50)), 21),
                new ConsoleClient(TELNET_LIKE, "alice", "console",
                        Optional.of(Instant.ofEpochSecond(FakeProc.BOOT + 60)), 22)), c.clients());
        assertEquals(0, c.uninspectedProcesses());
    }

    @Test
    void serverProcessesAreNeverClientsEvenWhenTheyHoldAClientEnd() throws Exception {
        // The IOC child connected to its own console, and a forked client shares its socket.
        proc.socket(PROCSERV, 3, 10).socket(PROCSERV, 4, 11).socket(PROCSERV, 5, 12).socket(IOC, 3, 10)
                .socket(IOC, 9, 21).socket(SOCAT, 5, 22).socket(TELNET_LIKE, 3, 22);

        ConsoleClients c = ConsoleClients.trace(CONSOLE, dumpWithTwoClients(), proc.table(tmp));

        assertEquals(List.of(PROCSERV, IOC), c.serverPids());
        assertEquals(List.of(SOCAT, TELNET_LIKE), c.clients().stream().map(ConsoleClient::pid).toList());
        assertTrue(c.clients().stream().allMatch(client -> client.socketInode() == 22));
    }

    @Test
    void clientThatExitedBeforeItWasReadIsLeftOut() throws Exception {
        proc.socket(PROCSERV, 3, 10).socket(PROCSERV, 4, 11).socket(PROCSERV, 5, 12).socket(SOCAT, 5, 21)
                .socket(999, 3, 22); // holds the socket, but its stat/status are gone

        ConsoleClients c = ConsoleClients.trace(CONSOLE, dumpWithTwoClients(), proc.table(tmp));

        assertEquals(List.of(SOCAT), c.clients().stream().map(ConsoleClient::pid).toList());
    }

    @Test
    void socketWithNoListenerOrConnectionsGivesAnEmptyTrace() throws Exception {
        ConsoleClients c = ConsoleClients.trace(Path.of("/run/procserv/none/control"), dumpWithTwoClients(),
                proc.table(tmp));

        assertEquals(Optional.empty(), c.listener());
        assertEquals(List.of(), c.accepted());
        assertEquals(List.of(), c.servers());
        assertEquals(List.of(), c.clients());
    }

    @Test
    void sharedScanGivesTheSameAnswerAsATargetedOne() throws Exception {
        proc.socket(PROCSERV, 3, 10).socket(PROCSERV, 4, 11).socket(PROCSERV, 5, 12).socket(SOCAT, 5, 21)
                .socket(TELNET_LIKE, 3, 22);
        ProcessTable table = proc.table(tmp);

        assertEquals(ConsoleClients.trace(CONSOLE, dumpWithTwoClients(), table),
                ConsoleClients.trace(CONSOLE, dumpWithTwoClients(), table.socketHolders(), table));
    }

    @Test
    void listenerBoundToTheCurrentFileComesFirstAndMatchesUnderAnotherName() throws Exception {
        Path socketFile = Files.createFile(tmp.resolve("control"));
        Map<String, Object> attrs = Files.readAttributes(socketFile, "unix:ino,dev");
        SocketFile current = new SocketFile((Long) attrs.get("ino"), (Long) attrs.get("dev"));
        SocketFile unlinked = new SocketFile(current.inode() + 1, current.device());
        Path viaSymlink = Files.createSymbolicLink(tmp.resolve("run-link"), tmp).resolve("control");
        List<UnixSocket> dump = List.of(
                listener(30, socketFile.toString(), Optional.of(unlinked), 0, 5),  // stale procServ
                listener(31, socketFile.toString(), Optional.of(current), 2, 5));  // the live one

        ConsoleClients byName = ConsoleClients.trace(socketFile, dump, proc.table(tmp));
        ConsoleClients byFile = ConsoleClients.trace(viaSymlink, dump, proc.table(tmp));

        assertEquals(List.of(31L, 30L), byName.listeners().stream().map(UnixSocket::inode).toList());
        assertEquals(2, byName.listener().orElseThrow().pendingConnections());
        assertEquals(List.of(31L), byFile.listeners().stream().map(UnixSocket::inode).toList(),
                "under a symlinked directory only the socket bound to the file the path names matches");
    }
}
