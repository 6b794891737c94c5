package io.iocagent.model;

import static io.iocagent.model.HandMadeSockets.LO;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.netlink.InetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which of an IOC's sockets are its CA and PVA servers and clients, on hand-made socket tables. */
class IocServersTest {

    private final HandMadeSockets table = new HandMadeSockets();

    private static IocEndpoints endpoints(List<InetSocket> own, List<InetSocket> dump, Map<Long, Integer> pids) {
        return IocServers.of(own, IocServers.connectedByEnds(dump)).endpoints(pids);
    }

    @Test
    void theFirstIocOfAHostServesCaOnTheDefaultPortsAndPvaOnItsDefault() {
        List<InetSocket> own = List.of(table.listener(5064, 20), table.udp(5064), table.udp(40123),
                table.listener(5075, 4), table.udp(5076));
        IocEndpoints e = endpoints(own, own, Map.of());
        assertEquals(new IocEndpoints(5064, 5064, 5075, List.of(), List.of()), e);
    }

    @Test
    void aLaterIocOnEphemeralPortsIsToldApartByTheBacklogItsServerAskedFor() {
        List<InetSocket> own = List.of(table.listener(41000, 4), table.listener(42000, 20), table.udp(5064),
                table.udp(5076), table.listener(9000, 128));
        IocEndpoints e = endpoints(own, own, Map.of());
        assertEquals(42000, e.caServerPort(), "rsrv listens with backlog 20: " + e);
        assertEquals(5064, e.caSearchPort(), "rsrv keeps the configured UDP port: " + e);
        assertEquals(41000, e.pvaServerPort(), "pvAccess listens with backlog 4: " + e);
    }

    @Test
    void anIocWithOtherListenersOnlyServesNothing() {
        List<InetSocket> own = List.of(table.listener(9000, 128), table.udp(40000));
        assertEquals(IocEndpoints.NONE, endpoints(own, own, Map.of()));
    }

    @Test
    void clientsAreTheConnectionsOnAServerPortNamedByTheLocalPeersProcess() {
        InetSocket ca = table.listener(5064, 20);
        InetSocket accepted = table.connection(LO, 5064, LO, 43210);
        InetSocket peer = table.connection(LO, 43210, LO, 5064); // camonitor's end, held by another process
        InetSocket remote = table.connection(LO, 5064, HandMadeSockets.REMOTE, 50000);
        InetSocket outgoingLink = table.connection(LO, 47000, LO, 6064); // the IOC's own CA link to another IOC
        InetSocket pva = table.listener(5075, 4);
        InetSocket pvaAccepted = table.connection(LO, 5075, LO, 43300);
        List<InetSocket> own = List.of(ca, accepted, remote, outgoingLink, pva, pvaAccepted);
        List<InetSocket> dump = new ArrayList<>(own);
        dump.add(peer);
        IocEndpoints e = endpoints(own, dump, Map.of(peer.inode(), 4242));
        assertEquals(List.of(new NetworkClient("127.0.0.1", 43210, 4242), new NetworkClient("192.0.2.7", 50000, -1)),
                e.caClients(), "a remote client has no PID here; the IOC's outgoing link is no client");
        assertEquals(List.of(new NetworkClient("127.0.0.1", 43300, -1)), e.pvaClients(),
                "a client whose own end is not in the table has no PID");
    }

    @Test
    void onlySocketsThatMayServeCaOrPvaAreCandidates() {
        InetSocket ca = table.listener(41000, 20);
        InetSocket search = table.udp(41000);
        InetSocket pva = table.listener(5075, 4);
        InetSocket defaultSearch = table.udp(5064);
        List<InetSocket> dump = List.of(ca, search, pva, defaultSearch, table.listener(8080, 128), table.udp(40000),
                table.connection(LO, 5064, LO, 43210));
        assertEquals(Set.of(ca.inode(), search.inode(), pva.inode(), defaultSearch.inode()),
                IocServers.mayServe(dump).keySet(), "web servers, client UDP sockets and connections cannot serve");
    }
}
