package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.netlink.InetSocket;
import io.iocagent.netlink.UnixSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which of an IOC's sockets are its CA and PVA servers and clients, on hand-made socket tables. */
class EndpointSurveyTest {

    private static final InetAddress ANY = address(0, 0, 0, 0);
    private static final InetAddress LO = address(127, 0, 0, 1);
    private static final InetAddress REMOTE = address(192, 0, 2, 7);
    private long inode = 100;

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private InetSocket listener(int port, int backlog) {
        return new InetSocket(InetSocket.Protocol.TCP, UnixSocket.State.LISTEN, ANY, port, ANY, 0, 0, backlog, 0, ++inode);
    }

    private InetSocket udp(int port) {
        return new InetSocket(InetSocket.Protocol.UDP, UnixSocket.State.CLOSE, ANY, port, ANY, 0, 0, 0, 0, ++inode);
    }

    private InetSocket connection(InetAddress local, int localPort, InetAddress remote, int remotePort) {
        return new InetSocket(InetSocket.Protocol.TCP, UnixSocket.State.ESTABLISHED, local, localPort, remote, remotePort,
                0, 0, 0, ++inode);
    }

    private static IocEndpoints endpoints(List<InetSocket> own, List<InetSocket> dump, Map<Long, Integer> pids) {
        return EndpointSurvey.Servers.of(own, EndpointSurvey.connectedByEnds(dump)).endpoints(pids);
    }

    @Test
    void theFirstIocOfAHostServesCaOnTheDefaultPortsAndPvaOnItsDefault() {
        List<InetSocket> own = List.of(listener(5064, 20), udp(5064), udp(40123), listener(5075, 4), udp(5076));
        IocEndpoints e = endpoints(own, own, Map.of());
        assertEquals(new IocEndpoints(5064, 5064, 5075, List.of(), List.of()), e);
    }

    @Test
    void aLaterIocOnEphemeralPortsIsToldApartByTheBacklogItsServerAskedFor() {
        List<InetSocket> own = List.of(listener(41000, 4), listener(42000, 20), udp(5064), udp(5076), listener(9000, 128));
        IocEndpoints e = endpoints(own, own, Map.of());
        assertEquals(42000, e.caServerPort(), "rsrv listens with backlog 20: " + e);
        assertEquals(5064, e.caSearchPort(), "rsrv keeps the configured UDP port: " + e);
        assertEquals(41000, e.pvaServerPort(), "pvAccess listens with backlog 4: " + e);
    }

    @Test
    void anIocWithOtherListenersOnlyServesNothing() {
        List<InetSocket> own = List.of(listener(9000, 128), udp(40000));
        assertEquals(IocEndpoints.NONE, endpoints(own, own, Map.of()));
    }

    @Test
    void clientsAreTheConnectionsOnAServerPortNamedByTheLocalPeersProcess() {
        InetSocket ca = listener(5064, 20);
        InetSocket accepted = connection(LO, 5064, LO, 43210);
        InetSocket peer = connection(LO, 43210, LO, 5064); // camonitor's end, held by another process
        InetSocket remote = connection(LO, 5064, REMOTE, 50000);
        InetSocket outgoingLink = connection(LO, 47000, LO, 6064); // the IOC's own CA link to another IOC
        InetSocket pva = listener(5075, 4);
        InetSocket pvaAccepted = connection(LO, 5075, LO, 43300);
        List<InetSocket> own = List.of(ca, accepted, remote, outgoingLink, pva, pvaAccepted);
        List<InetSocket> dump = new ArrayList<>(own);
        dump.add(peer);
        IocEndpoints e = endpoints(own, dump, Map.of(peer.inode(), 4242));
        assertEquals(List.of(new NetworkClient("127.0.0.1", 43210, 4242), new NetworkClient("192.0.2.7", 50000, -1)),
                e.caClients(), "a remote client has no PID here; the IOC's outgoing link is no client");
        assertEquals(List.of(new NetworkClient("127.0.0.1", 43300, -1)), e.pvaClients(),
                "a client whose own end is not in the table has no PID");
    }
}
