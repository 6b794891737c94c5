package io.iocagent.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.netlink.ConsoleSocketFixture;
import io.iocagent.netlink.UnixSocket;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.posix.Posix;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ConsoleClients} end to end: real sockets, real client processes, the live {@code /proc}.
 * Needs socat (and procServ for the procServ case), no systemd.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsoleClientsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Path PROCSERV = Path.of("/usr/bin/procServ");

    @TempDir
    Path tmp;

    private final UnixSocketDiag diag = new UnixSocketDiag();
    private final ProcessTable processes = new ProcessTable();

    private ConsoleClients trace(Path path) throws IOException {
        return ConsoleClients.trace(path, diag.dump(), processes);
    }

    @Test
    void acceptedSocatClientsAreClientsAndThisJvmIsTheServer() throws Exception {
        ConsoleSocketFixture.requireSocat();
        Path path = tmp.resolve("control");
        Instant before = Instant.now().minusSeconds(2);
        try (ConsoleSocketFixture console = ConsoleSocketFixture.listen(path, 5)) {
            Process first = console.connectClient();
            ConsoleSocketFixture.await(WAIT, "the first connection", () -> trace(path),
                    c -> c.listener().map(UnixSocket::pendingConnections).orElse(0) == 1);
            Process second = console.connectClient();
            ConsoleSocketFixture.await(WAIT, "the second connection", () -> trace(path),
                    c -> c.listener().map(UnixSocket::pendingConnections).orElse(0) == 2);
            console.accept();
            console.accept();
            Process waiting = console.connectClient(); // stays in the accept queue

            ConsoleClients c = ConsoleSocketFixture.await(WAIT, "two clients and one waiting", () -> trace(path),
                    t -> t.clients().size() == 2 && t.listener().orElseThrow().pendingConnections() == 1);

            int self = (int) ProcessHandle.current().pid();
            assertEquals(List.of(self), c.serverPids(), "this JVM holds the listener and the accepted sockets");
            assertEquals(List.of((int) first.pid(), (int) second.pid()),
                    c.clients().stream().map(ConsoleClient::pid).toList());
            assertFalse(c.clients().stream().anyMatch(x -> x.pid() == waiting.pid()),
                    "a connection not yet accepted has no client entry");
            for (ConsoleClient client : c.clients()) {
                assertEquals("/usr/bin/socat - UNIX-CONNECT:" + path, client.command());
                assertEquals(Posix.userName(Posix.euid()), client.user());
                Instant since = client.since().orElseThrow();
                assertTrue(!since.isBefore(before) && !since.isAfter(Instant.now()), "since " + since);
                assertTrue(c.accepted().stream().anyMatch(a -> a.peerInode() == client.socketInode()));
            }
            assertEquals(5, c.listener().orElseThrow().backlog());
        }
    }

    @Test
    void procServAndItsChildAreServersAndSocatClientsAreClients() throws Exception {
        ConsoleSocketFixture.requireSocat();
        TestBed.requireOrSkip(Files.isExecutable(PROCSERV), PROCSERV + " is missing (apt-get install procserv)");
        Path path = tmp.resolve("control");
        Process procServ = new ProcessBuilder(PROCSERV.toString(), "-f", "-L", "-", "-n", "itioc",
                "--noautorestart", "unix:" + path, "/bin/sleep", "300")
                .directory(tmp.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
        try {
            ConsoleSocketFixture.await(WAIT, "procServ's socket and child", () -> childrenOf(procServ),
                    children -> Files.exists(path) && children.size() == 1);
            int child = childrenOf(procServ).get(0);
            try (ConsoleSocketFixture clients = ConsoleSocketFixture.clientsOf(path)) {
                Process a = clients.connectClient();
                Process b = clients.connectClient();

                ConsoleClients c = ConsoleSocketFixture.await(WAIT, "two console clients", () -> trace(path),
                        t -> t.clients().size() == 2);

                assertEquals(sorted((int) procServ.pid(), child), c.serverPids(),
                        "procServ and the child that inherited its listener");
                assertEquals(sorted((int) a.pid(), (int) b.pid()), c.clients().stream().map(ConsoleClient::pid).toList());
                assertEquals(2, c.accepted().size());
                assertEquals(0, c.listener().orElseThrow().pendingConnections());
                assertEquals(sorted("/bin/sleep 300", PROCSERV + " -f -L - -n itioc --noautorestart unix:" + path
                        + " /bin/sleep 300"), c.servers().stream().map(ProcessInfo::commandLine).sorted().toList());
            }
        } finally {
            procServ.destroy();
            procServ.descendants().forEach(ProcessHandle::destroyForcibly);
            procServ.waitFor(5, TimeUnit.SECONDS);
            procServ.destroyForcibly();
        }
    }

    @SafeVarargs
    private static <T extends Comparable<T>> List<T> sorted(T... values) {
        return Arrays.stream(values).sorted().toList();
    }

    private static List<Integer> childrenOf(Process p) {
        return p.children().map(h -> (int) h.pid()).toList();
    }
}
