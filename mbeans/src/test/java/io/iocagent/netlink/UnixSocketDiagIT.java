package io.iocagent.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * {@link UnixSocketDiag} against the running kernel: a listener in this JVM, {@code socat} clients
 * in child processes. Needs no systemd.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnixSocketDiagIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private final UnixSocketDiag diag = new UnixSocketDiag();

    private List<UnixSocket> bound(Path path) throws NetlinkException {
        return diag.dump().stream().filter(s -> s.path().equals(Optional.of(path.toString()))).toList();
    }

    @Test
    void dumpShowsListenerQueueAcceptedSocketsWithThePathAndUnreadBytes() throws Exception {
        ConsoleSocketFixture.requireSocat();
        Path path = tmp.resolve("control");
        try (ConsoleSocketFixture console = ConsoleSocketFixture.listen(path, 5)) {
            Process first = console.connectClient();
            ConsoleSocketFixture.await(WAIT, "the first connection", () -> bound(path),
                    sockets -> sockets.size() == 1 && sockets.get(0).pendingConnections() == 1);
            console.connectClient();
            console.connectClient();
            ConsoleSocketFixture.await(WAIT, "three pending connections", () -> bound(path),
                    sockets -> sockets.size() == 1 && sockets.get(0).pendingConnections() == 3);
            console.accept(); // the accept queue is FIFO: this is the first client's connection
            console.accept();
            ConsoleSocketFixture.send(first, "hello\n");

            List<UnixSocket> sockets = ConsoleSocketFixture.await(WAIT, "6 unread bytes on an accepted socket",
                    () -> bound(path), s -> s.stream().anyMatch(x -> x.recvQueue() == 6));
            List<UnixSocket> dump = diag.dump();
            Map<Long, UnixSocket> byInode = dump.stream().collect(Collectors.toMap(UnixSocket::inode, Function.identity()));

            List<UnixSocket> listeners = sockets.stream().filter(UnixSocket::isListening).toList();
            assertEquals(1, listeners.size(), () -> "listeners: " + sockets);
            UnixSocket listener = listeners.get(0);
            assertEquals(1, listener.pendingConnections());
            assertEquals(5, listener.backlog());
            assertEquals(1, listener.pendingPeers().size());
            assertEquals(OptionalInt.of(Posix.euid()), listener.uid());
            Map<String, Object> attrs = Files.readAttributes(path, "unix:ino,dev");
            assertEquals(Optional.of(new UnixSocket.SocketFile((Long) attrs.get("ino"), (Long) attrs.get("dev"))),
                    listener.file(), "UNIX_DIAG_VFS names the socket file, device in st_dev encoding");

            List<UnixSocket> accepted = sockets.stream().filter(s -> s.state() == UnixSocket.State.ESTABLISHED).toList();
            assertEquals(2, accepted.size(), () -> "accepted: " + sockets);
            assertEquals(Set.of(6, 0), accepted.stream().map(UnixSocket::recvQueue).collect(Collectors.toSet()));
            for (UnixSocket a : accepted) {
                assertEquals(UnixSocket.Type.STREAM, a.type());
                UnixSocket client = byInode.get(a.peerInode());
                assertTrue(client != null, () -> "the peer of " + a.inode() + " is in the dump");
                assertEquals(Optional.empty(), client.path(), "client ends are unnamed");
                assertEquals(a.inode(), client.peerInode(), "the join works both ways");
            }
            long pendingClient = listener.pendingPeers().get(0);
            assertTrue(byInode.containsKey(pendingClient), "the pending peer is a client socket in the dump");
            assertTrue(accepted.stream().noneMatch(a -> a.peerInode() == pendingClient),
                    "a pending connection has no accepted socket yet");
        }
    }

    @Test
    void abstractListenerIsNamedWithAnAtSignAndHasNoFile() throws Exception {
        String name = "iocagent-it-" + UUID.randomUUID();
        try (AFUNIXServerSocket server = AFUNIXServerSocket.newInstance()) {
            server.bind(AFUNIXSocketAddress.inAbstractNamespace(name), 3);

            UnixSocket listener = diag.dump().stream()
                    .filter(s -> s.path().equals(Optional.of("@" + name))).findFirst().orElseThrow();

            assertTrue(listener.isListening());
            assertEquals(3, listener.backlog());
            assertEquals(Optional.empty(), listener.file());
        }
    }

    @Test
    void closedListenerIsGoneFromTheNextDump() throws Exception {
        Path path = tmp.resolve("short-lived");
        long inode;
        try (ConsoleSocketFixture console = ConsoleSocketFixture.listen(path, 2)) {
            List<UnixSocket> sockets = bound(path);
            assertEquals(1, sockets.size());
            inode = sockets.get(0).inode();
            assertNotEquals(0, inode);
        }
        assertTrue(diag.dump().stream().noneMatch(s -> s.inode() == inode));
    }

    @Test
    void repeatedDumpsLeakNoDescriptors() throws Exception {
        Path path = tmp.resolve("steady");
        try (ConsoleSocketFixture console = ConsoleSocketFixture.listen(path, 2)) {
            long before = openDescriptors();
            int seen = 0;
            for (int i = 0; i < 200; i++) {
                seen += bound(path).size();
            }
            long after = openDescriptors();

            assertEquals(200, seen, "every dump finds the listener");
            assertEquals(before, after, "each dump closes its netlink socket");
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
