package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.netlink.InetSocketDiag;
import io.iocagent.proc.ProcessTable;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CA/PVA survey over the real kernel socket table and /proc, with this JVM standing in for an
 * IOC (a TCP listener with rsrv's backlog 20 and a UDP socket on its port, a listener with
 * pvAccess's backlog 4) and a {@code socat} process as a CA client: the servers are told apart by
 * backlog, the client is named by its process, and this process's own circuit is not a client.
 */
class EndpointSurveyTakeTest {

    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final int SELF = (int) ProcessHandle.current().pid();

    @Test
    void anIocsServersAndItsLocalClientAreFoundFromItsProcesses() throws Exception {
        try (ServerSocket ca = new ServerSocket(0, 20, LO);
             ServerSocket pva = new ServerSocket(0, 4, LO);
             DatagramSocket search = new DatagramSocket(new InetSocketAddress(LO, ca.getLocalPort()))) {
            Process socat = new ProcessBuilder("socat", "-u", "TCP:" + LO.getHostAddress() + ":" + ca.getLocalPort(), "-")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (Socket accepted = ca.accept();
                 Socket ownCircuit = new Socket(LO, pva.getLocalPort());
                 Socket pvaAccepted = pva.accept()) {
                EndpointSurvey survey = new EndpointSurvey(new ProcessTable());

                Map<String, IocEndpoints> found = survey.take(Map.of("x", List.of(SELF), "idle", List.of()),
                        new InetSocketDiag().dump().sockets());

                IocEndpoints x = found.get("x");
                assertEquals(ca.getLocalPort(), x.caServerPort(), "the backlog-20 listener is the CA server: " + x);
                assertEquals(ca.getLocalPort(), x.caSearchPort(), "the UDP socket on the server's port: " + x);
                assertEquals(pva.getLocalPort(), x.pvaServerPort(), "the backlog-4 listener is the PVA server: " + x);
                assertEquals(LO.getHostAddress(), x.caServerHost());
                assertEquals(List.of(new NetworkClient(LO.getHostAddress(), accepted.getPort(), (int) socat.pid())),
                        x.caClients(), "socat is the CA client");
                assertEquals(List.of(), x.pvaClients(), "this process's own circuit is not the IOC's client");
                assertEquals(IocEndpoints.NONE, found.get("idle"), "an IOC without processes has no endpoints");

                IocEndpoints again = survey.take(Map.of("x", List.of(SELF)), new InetSocketDiag().dump().sockets()).get("x");
                assertEquals(x, again, "the second survey names the client from its cache");
            } finally {
                socat.destroyForcibly().waitFor();
            }
        }
    }
}
