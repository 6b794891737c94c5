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
import io.iocagent.testbed.ScriptTerminal;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code inspect NAME} over the real kernel socket table and /proc, with this JVM as both the
 * console's server and its client (systemd answered by a table): the three sections name the
 * listener, the accepted connection, the server and the client, and every refusal says what to do.
 */
class InspectorTest extends OnLocalHost {

    private static final IocName A = new IocName("a");
    private static final long SELF = ProcessHandle.current().pid();

    private Path socket;

    @BeforeEach
    void setUp() throws IOException {
        socket = root.resolve("console.sock");
        install("unix:u:g:0660:" + socket);
        manager.running("a");
    }

    /** Installs IOC a with {@code port} as its IOC_PORT; null leaves the line out. */
    private void install(String port) throws IOException {
        install(A, port == null ? "" : "IOC_PORT=\"" + port + "\"\n");
    }

    private Inspector inspector() {
        return new Inspector(session());
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

    @Test
    void theFourSectionsComeInTheSeedsOrderListenerFirst() throws Exception {
        String comm = Files.readString(Path.of("/proc/self/comm")).strip();
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            Process client = new ProcessBuilder("socat", "STDIO", "UNIX-CONNECT:" + socket)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (SocketChannel accepted = listener.accept()) {
                ConsoleClients c = inspector().show(A);
                String all = String.join("\n", out);

                assertEquals(List.of(Session.DIVIDER, "Deep Inspection: a", "Target Socket: " + socket, Session.SUB_DIVIDER,
                        "1. UNIX Domain Socket FDs (kernel sock_diag + /proc)", "   [Legend]",
                        "   - NODE        : Inode Number (Matches the INODE column in 'list -vv')",
                        "   - (LISTEN)    : Server socket waiting for connections",
                        "   - (CONNECTED) : Server-side socket for an accepted client session", Session.SUB_DIVIDER,
                        String.format("%-15s %7s %-10s %-4s %-10s %s", "COMMAND", "PID", "USER", "TYPE", "NODE", "NAME")),
                        out.subList(0, 11), all);
                long inode = c.listener().orElseThrow().inode();
                assertEquals(String.format("%-15s %7d %-10s unix %-10d %s %s", comm, SELF,
                        c.servers().stream().filter(p -> p.pid() == SELF).findFirst().orElseThrow().user(), inode, socket,
                        "(LISTEN)"), out.get(11), "the listener's line comes first, named by the kernel's command name");
                assertTrue(out.get(12).endsWith(socket + " (CONNECTED)"), all);

                int servers = out.indexOf("2. Server Process Context (procServ & IOC)");
                assertEquals(List.of("", Session.DIVIDER), out.subList(servers - 2, servers), all);
                assertEquals(List.of("   [Description]", "   - Displays the active daemon and its spawned payload processes.",
                        Session.SUB_DIVIDER, String.format("%7s %-10s %-4s %-24s %s", "PID", "USER", "STAT", "STARTED", "CMD")),
                        out.subList(servers + 1, servers + 5), all);
                int clients = out.indexOf("3. Client Process Context (Active Connections)");
                assertEquals(List.of("   [Description]", "   - Traced via Netlink peer inode mapping.",
                        "   - Displays external processes currently attached to the socket.", Session.SUB_DIVIDER,
                        String.format("%7s %-10s %-4s %-24s %s", "PID", "USER", "STAT", "STARTED", "CMD")),
                        out.subList(clients + 1, clients + 6), all);
                assertEquals(List.of("", Session.DIVIDER), out.subList(clients - 2, clients), all);
                int endpoints = out.indexOf("4. Channel Access / PV Access (kernel inet_diag + /proc)");
                assertEquals(Session.DIVIDER, out.get(endpoints - 1), all);
                assertEquals(List.of("   [Description]",
                        "   - TCP servers of the IOC's own processes (procServ excluded) and the clients connected to them.",
                        "   - PID is shown for clients on this host.", Session.SUB_DIVIDER,
                        "The IOC serves neither Channel Access nor PV Access (yet).", Session.DIVIDER),
                        out.subList(endpoints + 1, out.size()), all);
                if (c.uninspectedProcesses() == 0) {
                    assertEquals(List.of(), err, "no note when every process could be inspected");
                } else {
                    assertEquals(List.of("Note: " + c.uninspectedProcesses() + " processes could not be inspected (root or"
                            + " CAP_SYS_PTRACE needed); clients run by other users may be missing."), err);
                }
            } finally {
                client.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void anInactiveUnitHasNoEndpointsToShow() throws Exception {
        manager.held("a", "inactive", "dead");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            inspector().show(A);
            assertEquals(List.of("The IOC is not running.", Session.DIVIDER), out.subList(out.size() - 2, out.size()));
        }
    }

    @Test
    void theInspectionGivesTheServersAndClientsWithTimesToTheSecond() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            Process client = new ProcessBuilder("socat", "STDIO", "UNIX-CONNECT:" + socket)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (SocketChannel accepted = listener.accept()) {
                ConsoleInspection i = inspector().inspection(A);
                assertEquals(socket.toString(), i.socketPath());
                ConsoleProcess self = i.servers().stream().filter(p -> p.pid() == SELF).findFirst()
                        .orElseThrow(() -> new AssertionError("this JVM serves the console: " + i.servers()));
                assertTrue(self.startedAt().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), self.startedAt());
                assertTrue(self.command().contains("java"), self.command());
                ConsoleProcess socat = i.clients().stream().filter(p -> p.pid() == client.pid()).findFirst()
                        .orElseThrow(() -> new AssertionError("socat is the client: " + i.clients()));
                assertTrue(socat.command().startsWith("socat"), socat.command());
                assertTrue(socat.startedAt().isEmpty() || socat.startedAt().matches("\\d{4}-.*T.*:\\d\\dZ"), socat.startedAt());
                assertEquals(List.of(), i.notes());
            } finally {
                client.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void theCapabilityTestReadsTheEffectiveSet() throws Exception {
        String capEff = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
                .findFirst().orElseThrow().substring(7).trim();
        java.math.BigInteger bits = new java.math.BigInteger(capEff, 16);
        for (int cap = 0; cap < 64; cap++) {
            assertEquals(bits.testBit(cap), Inspector.hasCapability(cap), "capability " + cap + " of CapEff " + capEff);
        }
    }

    @Test
    void systemModeNeedsRootOrPtraceToMapClients() throws Exception {
        Layout system = new Layout(Mode.SYSTEM, layout.confDir(), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), PREFIX, new Identity("u", "g"));
        Inspector user = new Inspector(Session.withManager(system, new Account("u", "g", 1000, root, true), Map.of(),
                ScriptTerminal.of(out::add, err::add), false, manager, manager));
        OperationException e = assertThrows(OperationException.class, () -> user.show(A));
        if (Inspector.hasCapability(Inspector.CAP_SYS_PTRACE)) {
            assertEquals("Socket file not found or invalid: " + socket, e.getMessage(), "with CAP_SYS_PTRACE the scan runs");
        } else {
            assertEquals("'inspect' requires root privileges in system mode to map client processes.", e.getMessage());
            assertEquals(List.of("Hint: Execute with sudo (or grant the agent CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH)."),
                    e.details());
        }
        Inspector rootUser = new Inspector(Session.withManager(system, new Account("root", "root", 0, root, true), Map.of(),
                ScriptTerminal.of(out::add, err::add), false, manager, manager));
        assertEquals("Socket file not found or invalid: " + socket,
                assertThrows(OperationException.class, () -> rootUser.show(A)).getMessage(), "root always scans");
    }

    @Test
    void theConsoleOfAnInactiveUnitIsResolvedWithAFourLineWarning() throws Exception {
        manager.held("a", "failed", "failed");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            Session session = session();
            assertEquals(socket, ConsoleTarget.resolve(session, A));
            assertEquals(List.of(Session.DIVIDER, "WARNING: Service 'epics-@a.service' is currently 'failed'.",
                    "The socket file may be stale. The console connection might fail or hang.", Session.DIVIDER), err);

            err.clear();
            manager.running("a");
            assertEquals(socket, ConsoleTarget.resolve(session, A));
            assertEquals(List.of(), err, "an active unit's console needs no warning");
        }
    }
}
