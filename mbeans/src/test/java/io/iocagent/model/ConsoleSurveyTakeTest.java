package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.netlink.UnixSocket;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.proc.ProcessTable;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console survey over the real kernel socket table and /proc, with this JVM as the console's
 * server and a {@code socat} process as its client: the listener and its client are found by
 * path, a path nothing listens on is absent, and a path two listeners were bound to (one file
 * deleted under it) names both listeners' holders.
 */
class ConsoleSurveyTakeTest {

    private static final int SELF = (int) ProcessHandle.current().pid();

    @TempDir
    Path root;

    private static Map<Path, ConsoleSurvey.Console> take(Path... paths) throws Exception {
        return ConsoleSurvey.take(List.of(paths), new UnixSocketDiag().dump(), new ProcessTable());
    }

    private static long listenerInode(Path path) throws Exception {
        return new UnixSocketDiag().dump().stream()
                .filter(s -> s.isListening() && s.path().equals(java.util.Optional.of(path.toString())))
                .mapToLong(UnixSocket::inode).max().orElseThrow();
    }

    @Test
    void aListeningConsoleNamesItsListenerAndItsClientProcess() throws Exception {
        Path path = root.resolve("control");
        Path idle = root.resolve("idle");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            Process socat = new ProcessBuilder("socat", "STDIO", "UNIX-CONNECT:" + path)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (SocketChannel accepted = listener.accept()) {
                Map<Path, ConsoleSurvey.Console> consoles = take(path, idle);

                ConsoleSurvey.Console c = consoles.get(path);
                assertTrue(c.listening(), c.toString());
                assertEquals(listenerInode(path), c.inode());
                assertTrue(c.sendQueue() > 0, "the listener's backlog: " + c);
                assertEquals(List.of((int) socat.pid()), c.clients().stream().map(k -> k.pid()).toList(),
                        "socat is the one client: " + c.clients());
                assertEquals(List.of(), c.listenerHolders(), "one reachable listener: no holders read");
                assertEquals(ConsoleSurvey.Console.ABSENT, consoles.get(idle), "nothing listens there");
                assertEquals(2, consoles.size());
            } finally {
                socat.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aListenerWithoutClientsHasNone() throws Exception {
        Path path = root.resolve("control");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            ConsoleSurvey.Console c = take(path).get(path);
            assertTrue(c.listening());
            assertEquals(List.of(), c.clients());
            assertEquals(0, c.recvQueue(), "no connection waits");
        }
    }

    @Test
    void aListenerWhoseFileWasDeletedIsAbsentButItsHolderIsNamed() throws Exception {
        Path path = root.resolve("control");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            Files.delete(path);
            ConsoleSurvey.Console c = take(path).get(path);
            assertFalse(c.listening(), "no client can reach a deleted socket file: " + c);
            assertEquals(List.of(List.of(SELF)), c.listenerHolders(), "the unreachable listener's holder");
        }
    }

    @Test
    void aPathTakenOverByASecondListenerNamesBothAndListensOnTheNewOne() throws Exception {
        Path path = root.resolve("control");
        try (ServerSocketChannel first = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             ServerSocketChannel second = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            first.bind(UnixDomainSocketAddress.of(path));
            Files.delete(path);
            second.bind(UnixDomainSocketAddress.of(path));
            long newest = listenerInode(path);

            ConsoleSurvey.Console c = take(path).get(path);

            assertTrue(c.listening());
            assertEquals(newest, c.inode(), "the listener the file names now");
            assertEquals(List.of(List.of(SELF), List.of(SELF)), c.listenerHolders(), "both listeners' holders");
        }
    }

    @Test
    void aListenerWhoseSocketFileWasMovedToTheConsolePathIsFoundByTheFile() throws Exception {
        Path bound = root.resolve("bound-here");
        Path path = root.resolve("control");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(bound));
            Files.move(bound, path); // the kernel still reports the path it was bound to; the file is the console's
            ConsoleSurvey.Console c = take(path).get(path);
            assertTrue(c.listening(), "the listener is found by its socket file: " + c);
            assertEquals(listenerInode(bound), c.inode());
            ConsoleSurvey.Console old = take(bound).get(bound);
            assertFalse(old.listening(), "the path it was bound to has no file any more: nobody reaches it there");
            assertEquals(List.of(List.of(SELF)), old.listenerHolders(), "but the listener still bound to it is named");
        }
    }
}
