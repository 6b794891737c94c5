package io.iocagent.model;

import io.iocagent.netlink.InetSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one IOC's sockets say about its Channel Access and PV Access servers, before the client
 * processes are named: which of its listeners serves what, its CA search port, and the accepted
 * connections of each server. The rules that recognise an EPICS server in a socket table live here,
 * once; {@link EndpointSurvey} decides which sockets are the IOC's.
 *
 * <p><b>Which listener serves what.</b> A TCP listener of the IOC on the protocol's default port
 * (CA 5064, PVA 5075) is that protocol's server. An IOC that found the default port taken listens
 * on an ephemeral port; it is recognised by the listen backlog its server asked for, which the
 * kernel reports for every listener: EPICS base's rsrv calls {@code listen(sock, 20)}
 * ({@code caservertask.c}), pvAccessCPP {@code listen(sock, 4)} ({@code blockingTCPAcceptor.cpp}).
 * The CA search port is the UDP port the IOC binds that equals its CA server port, else 5064
 * (rsrv keeps the configured UDP port when its TCP port falls back to an ephemeral one).
 *
 * <p><b>Clients.</b> The IOC's established TCP connections whose local port is a server's port
 * (its own outgoing CA links use other ports). A client on this host is the other end of such a
 * connection in the same dump ({@link Connection#peerInode}).
 *
 * @param caPort       the CA server's TCP port, -1 when none
 * @param caAddress    where a client on this host reaches the CA server, empty when none
 * @param caSearchPort the CA search (UDP) port, -1 when none
 * @param pvaPort      the PVA server's TCP port, -1 when none
 * @param connections  the accepted connections of both servers
 */
record IocServers(int caPort, String caAddress, int caSearchPort, int pvaPort, List<Connection> connections) {

    /** rsrv's default TCP and UDP port ({@code EPICS_CA_SERVER_PORT}). */
    static final int CA_DEFAULT_PORT = 5064;
    /** pvAccess's default TCP port ({@code EPICS_PVA_SERVER_PORT}). */
    static final int PVA_DEFAULT_PORT = 5075;
    /** The backlog EPICS base's rsrv passes to {@code listen}. */
    static final int RSRV_BACKLOG = 20;
    /** The backlog pvAccessCPP passes to {@code listen}. */
    static final int PVACPP_BACKLOG = 4;
    /** This process: its connections to an IOC (the hang probe's) are not counted as the IOC's clients. */
    private static final long SELF = ProcessHandle.current().pid();

    /** One accepted connection of a server: the client end as seen by the IOC, and the client's own socket here. */
    record Connection(boolean ca, InetSocket accepted, long peerInode) {
    }

    /**
     * @param own             the IOC's sockets
     * @param connectedByEnds {@link #connectedByEnds} of the whole dump
     */
    static IocServers of(List<InetSocket> own, Map<String, InetSocket> connectedByEnds) {
        List<InetSocket> listeners = own.stream().filter(InetSocket::isListening)
                .sorted(Comparator.comparingInt(InetSocket::localPort)).toList();
        Set<Integer> udpPorts = new HashSet<>();
        own.stream().filter(InetSocket::isBoundDatagram).forEach(s -> udpPorts.add(s.localPort()));

        Optional<InetSocket> caListener = listener(listeners, CA_DEFAULT_PORT, RSRV_BACKLOG, -1);
        int caPort = caListener.map(InetSocket::localPort).orElse(-1);
        // where a client on this host reaches it: loopback for a wildcard bind, else the bound address
        String caAddress = caListener.map(l -> l.localAddress().isAnyLocalAddress()
                ? InetAddress.getLoopbackAddress().getHostAddress() : l.localAddress().getHostAddress()).orElse("");
        int pvaPort = listener(listeners, PVA_DEFAULT_PORT, PVACPP_BACKLOG, caPort).map(InetSocket::localPort).orElse(-1);
        int caSearch = caPort < 0 ? -1
                : udpPorts.contains(caPort) ? caPort
                : udpPorts.contains(CA_DEFAULT_PORT) ? CA_DEFAULT_PORT : -1;

        List<Connection> connections = new ArrayList<>();
        for (InetSocket s : own) {
            boolean ca = caPort > 0 && s.localPort() == caPort;
            boolean pva = pvaPort > 0 && s.localPort() == pvaPort;
            if (!s.isConnected() || !ca && !pva) {
                continue;
            }
            InetSocket peer = connectedByEnds.get(ends(s.remoteAddress(), s.remotePort(), s.localAddress(),
                    s.localPort()));
            connections.add(new Connection(ca, s, peer == null ? 0 : peer.inode()));
        }
        return new IocServers(caPort, caAddress, caSearch, pvaPort, connections);
    }

    /** The listener on {@code defaultPort}, else one with {@code backlog}; never one on port {@code other}. */
    private static Optional<InetSocket> listener(List<InetSocket> listeners, int defaultPort, int backlog, int other) {
        Optional<InetSocket> byPort = listeners.stream().filter(l -> l.localPort() == defaultPort).findFirst();
        return byPort.or(() -> listeners.stream()
                .filter(l -> l.sendQueue() == backlog && l.localPort() != other).findFirst());
    }

    /**
     * The endpoints, each client named by the process holding its socket here.
     *
     * @param peerPids client socket inode → PID, -1 when no readable process holds it
     */
    IocEndpoints endpoints(Map<Long, Integer> peerPids) {
        List<NetworkClient> ca = new ArrayList<>();
        List<NetworkClient> pva = new ArrayList<>();
        for (Connection c : connections) {
            int pid = c.peerInode() > 0 ? peerPids.getOrDefault(c.peerInode(), -1) : -1;
            if (pid == SELF) {
                continue; // the agent's own hang probe circuit is no client of the IOC
            }
            NetworkClient client = new NetworkClient(c.accepted().remoteAddress().getHostAddress(),
                    c.accepted().remotePort(), pid);
            (c.ca() ? ca : pva).add(client);
        }
        Comparator<NetworkClient> order = Comparator.comparing(NetworkClient::address)
                .thenComparingInt(NetworkClient::port);
        ca.sort(order);
        pva.sort(order);
        return new IocEndpoints(caPort, caSearchPort, pvaPort, ca, pva, caAddress);
    }

    /**
     * The sockets of {@code dump} that may be a CA or PVA server's, by inode: TCP listeners on
     * {@link #CA_DEFAULT_PORT} or {@link #PVA_DEFAULT_PORT} or with {@link #RSRV_BACKLOG} or
     * {@link #PVACPP_BACKLOG} (what {@link #of} recognises), and bound UDP sockets on
     * {@link #CA_DEFAULT_PORT} or on the port of such a listener (a CA search port). Every other
     * listener on the host (web servers, test servers, the agent's own) cannot change an IOC's
     * endpoints, so its coming and going is no reason to read descriptors.
     */
    static Map<Long, InetSocket> mayServe(List<InetSocket> dump) {
        Map<Long, InetSocket> servers = new HashMap<>();
        Set<Integer> serverPorts = new HashSet<>();
        for (InetSocket s : dump) {
            if (s.isListening() && s.inode() != 0 && (s.localPort() == CA_DEFAULT_PORT
                    || s.localPort() == PVA_DEFAULT_PORT || s.sendQueue() == RSRV_BACKLOG
                    || s.sendQueue() == PVACPP_BACKLOG)) {
                servers.putIfAbsent(s.inode(), s);
                serverPorts.add(s.localPort());
            }
        }
        for (InetSocket s : dump) {
            if (s.isBoundDatagram() && s.inode() != 0
                    && (s.localPort() == CA_DEFAULT_PORT || serverPorts.contains(s.localPort()))) {
                servers.putIfAbsent(s.inode(), s);
            }
        }
        return servers;
    }

    /** The established TCP sockets of {@code dump} by their two ends, to find the local end of a connection. */
    static Map<String, InetSocket> connectedByEnds(List<InetSocket> dump) {
        Map<String, InetSocket> byEnds = new HashMap<>();
        for (InetSocket s : dump) {
            if (s.isConnected()) {
                byEnds.put(ends(s.localAddress(), s.localPort(), s.remoteAddress(), s.remotePort()), s);
            }
        }
        return byEnds;
    }

    private static String ends(InetAddress localAddress, int localPort, InetAddress remoteAddress, int remotePort) {
        return InetSocket.endpoint(localAddress, localPort) + ">" + InetSocket.endpoint(remoteAddress, remotePort);
    }
}
