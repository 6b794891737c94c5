package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.iocagent.conf.Identity;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.model.IocEndpoints;
import io.iocagent.posix.Account;
import io.iocagent.testbed.ScriptTerminal;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code which PVNAME} against stand-in CA servers on loopback that speak the TCP name search (a
 * VERSION, then a SEARCH reply or NOT_FOUND): every IOC that serves the name is reported in
 * order, those that cannot be asked are named with why, and the text, JSON and exit status say
 * so. A name that cannot be asked for is refused before anything is asked.
 */
class WhichIocTest extends OnLocalHost {

    private static final int SEARCH = 6;
    private static final int NOT_FOUND = 14;
    private static final int SEARCH_ID = 0x10C;

    private final List<ServerSocket> servers = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        for (ServerSocket s : servers) {
            s.close();
        }
    }

    private WhichIoc which() {
        return new WhichIoc(session());
    }

    /** A CA server on loopback that serves {@code names}, or closes the circuit unanswered when null. */
    private int caServer(Set<String> names) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        servers.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    byte[] version = new byte[16];
                    in.readFully(version);
                    byte[] search = new byte[16];
                    in.readFully(search);
                    byte[] payload = new byte[ByteBuffer.wrap(search).getShort(2) & 0xFFFF];
                    in.readFully(payload);
                    String name = new String(payload, StandardCharsets.US_ASCII).replaceAll("\0.*", "");
                    if (names == null) {
                        continue;
                    }
                    OutputStream o = s.getOutputStream();
                    o.write(header(0, 0, 0, 13, 0, 0));
                    if (names.contains(name)) {
                        o.write(header(SEARCH, 8, s.getLocalPort(), 0, -1, SEARCH_ID));
                        o.write(new byte[] {0, 13, 0, 0, 0, 0, 0, 0});
                    } else {
                        o.write(header(NOT_FOUND, 0, 10, 13, SEARCH_ID, SEARCH_ID));
                    }
                    o.flush();
                    in.read(); // until the client closes
                } catch (IOException e) {
                    // closed by the test
                }
            }
        }, "stand-in CA server");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private static byte[] header(int command, int payload, int type, int count, int p1, int p2) {
        return ByteBuffer.allocate(16).putShort((short) command).putShort((short) payload).putShort((short) type)
                .putShort((short) count).putInt(p1).putInt(p2).array();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static IocRow row(String name, int caPort) {
        return new IocRow(name, true, "active", "running", "disabled", Optional.empty(), OptionalInt.empty(),
                OptionalLong.empty(), OptionalLong.empty(), "", Optional.empty(), List.of(),
                new IocEndpoints(caPort, caPort, -1, List.of(), List.of(), ""), null);
    }

    @Test
    void everyIocThatServesTheNameIsReportedInOrderWithAWarningForTwo() throws Exception {
        int a = caServer(Set.of("X:temp", "X:dup"));
        int b = caServer(Set.of("X:other"));
        int c = caServer(Set.of("X:dup"));
        WhichIoc which = which();

        WhichIoc.Answer dup = which.ask("X:dup", List.of(row("a", a), row("b", b), row("c", c)));

        assertEquals(List.of(new WhichIoc.Server("a", "epics-@a.service", "active", a),
                new WhichIoc.Server("c", "epics-@c.service", "active", c)), dup.servedBy());
        assertEquals(3, dup.asked());
        assertEquals(List.of(), dup.unanswered());
        assertEquals(WhichIoc.SERVED, which.show(dup, false));
        assertEquals(List.of("PV 'X:dup' is served by IOC 'a' (epics-@a.service, active, CA port " + a + ").",
                "PV 'X:dup' is served by IOC 'c' (epics-@c.service, active, CA port " + c + ")."), out);
        assertEquals(List.of("Warning: 2 IOCs serve PV 'X:dup'; a CA client connects to whichever answers first."), err);

        out.clear();
        err.clear();
        WhichIoc.Answer one = which.ask("X:temp", List.of(row("a", a), row("b", b)));
        assertEquals(WhichIoc.SERVED, which.show(one, false));
        assertEquals(List.of(), err, "one server is no warning");
    }

    @Test
    void nobodyServingIsExitFourAndIocsThatCannotBeAskedAreNamed() throws Exception {
        int silent = caServer(null);
        int refused = closedPort();
        int b = caServer(Set.of("X:other"));
        WhichIoc which = which();

        WhichIoc.Answer none = which.ask("X:temp", List.of(row("s", silent), row("r", refused), row("b", b)));

        assertEquals(List.of(), none.servedBy());
        assertEquals(3, none.asked());
        assertEquals(2, none.unanswered().size(), none.unanswered().toString());
        assertEquals("s (CA port " + silent + "): the server closed the circuit without answering", none.unanswered().get(0));
        assertTrue(none.unanswered().get(1).startsWith("r (CA port " + refused + "): "), none.unanswered().get(1));
        assertEquals(WhichIoc.NOT_SERVED, which.show(none, false));
        assertEquals(List.of("No IOC of this host (local mode) serves PV 'X:temp' (3 IOCs with a Channel Access server asked)."), out);
        assertEquals(List.of("Note: could not ask IOC " + none.unanswered().get(0) + ".",
                "Note: could not ask IOC " + none.unanswered().get(1) + "."), err);

        out.clear();
        which.show(which.ask("X:temp", List.of(row("b", b))), false);
        assertEquals(List.of("No IOC of this host (local mode) serves PV 'X:temp' (1 IOC with a Channel Access server asked)."), out);
    }

    @Test
    void jsonCarriesTheWholeAnswerAndNoNotes() throws Exception {
        WhichIoc which = which();
        WhichIoc.Answer a = new WhichIoc.Answer("X:\"q\"", List.of(new WhichIoc.Server("a", "epics-@a.service", "active", 5064)),
                2, List.of("b (CA port 1): refused"));
        assertEquals(WhichIoc.SERVED, which.show(a, true));
        assertEquals(List.of("{\"pv\":\"X:\\\"q\\\"\",\"servedBy\":[{\"ioc\":\"a\",\"unit\":\"epics-@a.service\","
                + "\"activeState\":\"active\",\"caServerPort\":5064}],\"asked\":2,\"unanswered\":[\"b (CA port 1): refused\"]}"), out);
        assertEquals(List.of(), err);

        out.clear();
        assertEquals(WhichIoc.NOT_SERVED, which.show(new WhichIoc.Answer("Y", List.of(), 0, List.of()), true));
        assertEquals(List.of("{\"pv\":\"Y\",\"servedBy\":[],\"asked\":0,\"unanswered\":[]}"), out);
    }

    @Test
    void noIocWithACaServerMeansNothingIsAsked() throws Exception {
        WhichIoc.Answer a = which().find("X:temp");
        assertEquals(new WhichIoc.Answer("X:temp", List.of(), 0, List.of()), a);
        assertEquals(new WhichIoc.Answer("X:temp", List.of(), 0, List.of()), which().ask("X:temp", List.of()));
    }

    @Test
    void aNameThatCannotBeAskedForIsRefusedShownPrintableAndNothingIsAsked() {
        OperationException control = assertThrows(OperationException.class, () -> which().find("X:\u0001t\u007f"));
        assertEquals("Cannot ask for PV 'X:?t?': " + WhichIoc.problem("X:\u0001t\u007f"), control.getMessage());
        assertEquals(List.of("  -> Give the PV name as a CA client would (e.g. 'IOC:temperature' or 'IOC:temperature.EGU')."),
                control.details());

        String longName = "\u0002" + "a".repeat(1100);
        OperationException tooLong = assertThrows(OperationException.class, () -> which().find(longName));
        assertEquals("Cannot ask for PV '?" + "a".repeat(79) + "...': " + WhichIoc.problem(longName), tooLong.getMessage());

        String exactly80 = "\u0003".repeat(80);
        assertEquals("Cannot ask for PV '" + "?".repeat(80) + "': " + WhichIoc.problem(exactly80),
                assertThrows(OperationException.class, () -> which().find(exactly80)).getMessage());

        assertEquals("Cannot ask for PV '': The PV name is empty.",
                assertThrows(OperationException.class, () -> which().find(null)).getMessage());
        assertEquals("Cannot ask for PV 'a b': The PV name has a space at position 2; PV names are printable ASCII without spaces.",
                assertThrows(OperationException.class, () -> which().find("a b")).getMessage());
        assertEquals(List.of(), manager.asked(), "nothing is asked for a name that cannot be asked for");
    }

    @Test
    void systemModeNeedsRootOrPtraceToSeeTheIocsPorts() {
        Layout system = new Layout(Mode.SYSTEM, layout.confDir(), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", new Identity("u", "g"));
        WhichIoc user = new WhichIoc(Session.withManager(system, new Account("u", "g", 1000, root, true), Map.of(),
                ScriptTerminal.quiet(), false, manager, manager));
        assumeFalse(Inspector.hasCapability(Inspector.CAP_SYS_PTRACE), "this process may read every process's sockets");
        OperationException e = assertThrows(OperationException.class, () -> user.find("X:temp"));
        assertEquals("'which' requires root privileges in system mode to find the IOCs' Channel Access ports (their"
                + " processes' sockets are not readable by this user).", e.getMessage());
        assertEquals(List.of("Hint: Execute with sudo, or ask the agent (Manager operation whichIoc)."), e.details());
        assertEquals(List.of(), manager.asked());
    }
}
