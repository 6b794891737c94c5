package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.proc.ConsoleClients;
import io.iocagent.systemd.FakeManager;
import io.iocagent.testbed.ScriptTerminal;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inspect NAME} over the real kernel socket table and /proc, with this JVM as both the
 * console's server and its client (systemd answered by a table): the three sections name the
 * listener, the accepted connection, the server and the client, and every refusal says what to do.
 */
class InspectorTest {

    private static final String PREFIX = "epics-@";
    private static final IocName A = new IocName("a");
    private static final long SELF = ProcessHandle.current().pid();

    @TempDir
    Path root;

    private Layout layout;
    private Path socket;
    private final FakeManager manager = new FakeManager(PREFIX);
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        layout = new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), PREFIX, new Identity("u", "g"));
        Files.createDirectories(layout.confDir());
        socket = root.resolve("console.sock");
        install("unix:u:g:0660:" + socket);
        manager.running("a");
    }

    /** Installs IOC a with {@code port} as its IOC_PORT; null leaves the line out. */
    private void install(String port) throws IOException {
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\nIOC_USER=\"u\"\nIOC_GROUP=\"g\"\nIOC_CHDIR=\"/tmp\"\n"
                + "IOC_CMD=\"./st.cmd\"\n" + (port == null ? "" : "IOC_PORT=\"" + port + "\"\n"));
    }

    private Inspector inspector() {
        return new Inspector(Session.withManager(layout, new Account("u", "g", 1000, root, true), Map.of(),
                ScriptTerminal.of(out::add, err::add), false, manager, manager));
    }

    @Test
    void theReportNamesTheListenerTheAcceptedConnectionTheServerAndTheClient() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            // The client is another process, as an operator's console is (socat, as ioc-runner attach would).
            Process client = new ProcessBuilder("socat", "STDIO", "UNIX-CONNECT:" + socket)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (SocketChannel accepted = listener.accept()) {
                long clientPid = client.pid();

                ConsoleClients c = inspector().show(A);

                assertEquals(socket, c.socketPath());
                assertTrue(c.servers().stream().anyMatch(p -> p.pid() == SELF), "this JVM holds the listener: " + c.servers());
                assertTrue(c.clients().stream().anyMatch(k -> k.pid() == clientPid),
                        "socat (PID " + clientPid + ") is the client: " + c.clients());
                assertEquals("Deep Inspection: a", out.get(1));
                assertEquals("Target Socket: " + socket, out.get(2));
                assertTrue(out.stream().anyMatch(l -> l.matches(".*\\s" + SELF + " .* unix .*" + socket + " \\(LISTEN\\)")),
                        "an FD line for the listener:\n" + String.join("\n", out));
                assertTrue(out.stream().anyMatch(l -> l.matches(".*\\s" + SELF + " .* unix .*" + socket + " \\(CONNECTED\\)")),
                        "an FD line for the accepted connection:\n" + String.join("\n", out));
                int servers = out.indexOf("2. Server Process Context (procServ & IOC)");
                int clients = out.indexOf("3. Client Process Context (Active Connections)");
                assertTrue(servers > 0 && clients > servers, String.join("\n", out));
                assertTrue(out.subList(servers, clients).stream().anyMatch(l -> l.trim().startsWith(SELF + " ")),
                        "section 2 lists this JVM as a server process:\n" + String.join("\n", out));
                assertTrue(out.subList(clients, out.size()).stream().anyMatch(l -> l.trim().startsWith(clientPid + " ")),
                        "section 3 lists socat as a client process:\n" + String.join("\n", out));
                assertTrue(err.stream().noneMatch(l -> l.startsWith("WARNING")), "an active unit gives no warning: " + err);
            } finally {
                client.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aListenerWithoutClientsSaysSoAndTraceGivesTheSameFacts() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            inspector().show(A);
            assertTrue(out.contains("No external client connections detected."), String.join("\n", out));
            ConsoleClients traced = inspector().trace(A);
            assertTrue(traced.clients().isEmpty(), traced.toString());
            assertTrue(traced.servers().stream().anyMatch(p -> p.pid() == SELF), traced.toString());
        }
    }

    @Test
    void anInactiveUnitOnlyWarnsThatTheSocketMayBeStale() throws Exception {
        manager.held("a", "failed", "failed");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            inspector().show(A);
            assertTrue(err.contains("WARNING: Service 'epics-@a.service' is currently 'failed'."), err.toString());
            assertTrue(out.contains("Deep Inspection: a"), "the inspection still runs");
        }
    }

    @Test
    void aSocketFileNobodyListensOnShowsNoSocketsAndNoServers() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
        } // closed: the file stays, nothing listens
        inspector().show(A);
        assertTrue(out.contains("No active UNIX sockets detected for this path."), String.join("\n", out));
        assertTrue(out.contains("No server processes found. The socket might be orphaned."), String.join("\n", out));
    }

    @Test
    void refusalsSayWhatIsMissing() throws Exception {
        OperationException noSocket = assertThrows(OperationException.class, () -> inspector().show(A));
        assertEquals("Socket file not found or invalid: " + socket, noSocket.getMessage());
        assertEquals(List.of("  -> Is the IOC running? ioc-runner --local status a"), noSocket.details());

        Files.writeString(socket, "not a socket");
        assertEquals("Socket file not found or invalid: " + socket,
                assertThrows(OperationException.class, () -> inspector().show(A)).getMessage());

        install(null);
        OperationException noPort = assertThrows(OperationException.class, () -> inspector().show(A));
        assertEquals("IOC_PORT not configured in " + layout.confFile(A) + ".", noPort.getMessage());

        Files.delete(layout.confFile(A));
        OperationException notInstalled = assertThrows(OperationException.class, () -> inspector().show(A));
        assertEquals("Configuration for a not found.", notInstalled.getMessage());
        assertEquals(List.of("  -> Looked for " + layout.confFile(A) + "; is the IOC installed in local mode?"),
                notInstalled.details());
    }
}
