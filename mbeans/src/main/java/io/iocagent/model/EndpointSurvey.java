package io.iocagent.model;

import io.iocagent.netlink.InetSocket;
import io.iocagent.proc.ProcessTable;
import io.iocagent.proc.SocketHolders;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Channel Access and PV Access servers of every IOC, and their clients, from one
 * {@code inet_diag} dump and the descriptors of each IOC's own processes: the join the console
 * survey does for UNIX sockets, done for TCP and UDP. No process is forked, no packet is sent.
 *
 * <p><b>Which sockets are the IOC's.</b> Those whose inodes the IOC's processes
 * ({@link IocFacts#iocProcesses}: the unit's processes but procServ) hold in {@code /proc/PID/fd}.
 * procServ's own sockets never count, so a procServ control port is not taken for a server.
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
 * connection in the same dump; the process holding that socket is found by one scan of
 * {@code /proc}, done only for client sockets not already known from an earlier survey of this
 * instance (one instance per model keeps them; the command line uses a fresh one).
 *
 * <p>Not thread-safe: one owner (the refresher's poll thread, or one command).
 */
public final class EndpointSurvey {

    /** rsrv's default TCP and UDP port ({@code EPICS_CA_SERVER_PORT}). */
    public static final int CA_DEFAULT_PORT = 5064;
    /** pvAccess's default TCP port ({@code EPICS_PVA_SERVER_PORT}). */
    public static final int PVA_DEFAULT_PORT = 5075;
    /** The backlog EPICS base's rsrv passes to {@code listen}. */
    static final int RSRV_BACKLOG = 20;
    /** The backlog pvAccessCPP passes to {@code listen}. */
    static final int PVACPP_BACKLOG = 4;
    /** This process: its connections to an IOC (the hang probe's) are not counted as the IOC's clients. */
    private static final long SELF = ProcessHandle.current().pid();
    /** Known client sockets kept at most, so a flood of short connections cannot grow the cache. */
    static final int PEER_CACHE_LIMIT = 4096;

    private final ProcessTable processes;
    /** Client socket inode → PID, from earlier surveys; -1 when no readable process held it. */
    private final Map<Long, Integer> peerPids = new HashMap<>();

    public EndpointSurvey(ProcessTable processes) {
        this.processes = processes;
    }

    /**
     * The endpoints of each running unit, its IOC's processes found by {@link IocFacts#iocProcesses}
     * from the unit's cgroup and MainPID: the one way the agent's model and the command line pick
     * them.
     *
     * @param controlGroups systemd's {@code ControlGroup} of each active unit
     * @param mainPids      systemd's {@code MainPID} of each (procServ), missing or -1 when unknown
     * @param dump          a fresh {@link io.iocagent.netlink.InetSocketDiag#dump()}
     * @return one entry per key of {@code controlGroups}; {@link IocEndpoints#NONE} where the group
     *         cannot be read
     * @throws IOException as {@link #take}
     */
    public <K> Map<K, IocEndpoints> takeUnits(Map<K, String> controlGroups, Map<K, Integer> mainPids,
                                              List<InetSocket> dump) throws IOException {
        Map<K, List<Integer>> pids = new LinkedHashMap<>();
        controlGroups.forEach((key, group) -> {
            try {
                pids.put(key, IocFacts.iocProcesses(processes.cgroupPids(group), mainPids.getOrDefault(key, -1)));
            } catch (IOException | IllegalArgumentException e) {
                pids.put(key, List.of()); // no readable group: no endpoints known
            }
        });
        return take(pids, dump);
    }

    /**
     * The endpoints of each IOC.
     *
     * @param iocPids the processes of each IOC ({@link IocFacts#iocProcesses}); IOCs with none get
     *                {@link IocEndpoints#NONE}
     * @param dump    a fresh {@link io.iocagent.netlink.InetSocketDiag#dump()}
     * @return one entry per key of {@code iocPids}
     * @throws IOException when the local clients had to be looked up and {@code /proc} could not be scanned
     */
    public <K> Map<K, IocEndpoints> take(Map<K, ? extends Collection<Integer>> iocPids, List<InetSocket> dump)
            throws IOException {
        Map<Long, InetSocket> byInode = new HashMap<>();
        for (InetSocket s : dump) {
            if ((s.isListening() || s.isBoundDatagram() || s.isConnected()) && s.inode() != 0) {
                byInode.putIfAbsent(s.inode(), s);
            }
        }
        Map<String, InetSocket> connectedByEnds = connectedByEnds(dump);
        Map<K, Servers> servers = new LinkedHashMap<>();
        Set<Long> unknownPeers = new HashSet<>();
        Set<Long> peersInUse = new HashSet<>();
        for (Map.Entry<K, ? extends Collection<Integer>> e : iocPids.entrySet()) {
            List<InetSocket> own = new ArrayList<>();
            Set<Long> seen = new HashSet<>();
            for (int pid : e.getValue()) {
                for (long inode : processes.socketsOf(pid).inodes()) {
                    InetSocket s = byInode.get(inode);
                    if (s != null && seen.add(inode)) {
                        own.add(s);
                    }
                }
            }
            Servers found = Servers.of(own, connectedByEnds);
            for (Connection c : found.connections()) {
                if (c.peerInode() > 0) {
                    peersInUse.add(c.peerInode());
                    if (!peerPids.containsKey(c.peerInode())) {
                        unknownPeers.add(c.peerInode());
                    }
                }
            }
            servers.put(e.getKey(), found);
        }
        peerPids.keySet().retainAll(peersInUse);
        if (!unknownPeers.isEmpty()) {
            SocketHolders holders = processes.socketHolders(unknownPeers);
            for (long inode : unknownPeers) {
                if (peerPids.size() < PEER_CACHE_LIMIT) {
                    peerPids.put(inode, holders.pids(inode).stream().findFirst().orElse(-1));
                }
            }
        }
        Map<K, IocEndpoints> endpoints = new LinkedHashMap<>();
        servers.forEach((k, s) -> endpoints.put(k, s.endpoints(peerPids)));
        return endpoints;
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

    /** One accepted connection of a server: the client end as seen by the IOC, and the client's own socket here. */
    record Connection(boolean ca, InetSocket accepted, long peerInode) {
    }

    /** What one IOC's sockets say, before the client processes are named. */
    record Servers(int caPort, String caAddress, int caSearchPort, int pvaPort, List<Connection> connections) {

        /**
         * @param own             the IOC's sockets
         * @param connectedByEnds {@link #connectedByEnds} of the whole dump
         */
        static Servers of(List<InetSocket> own, Map<String, InetSocket> connectedByEnds) {
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
            return new Servers(caPort, caAddress, caSearch, pvaPort, connections);
        }

        /** The listener on {@code defaultPort}, else one with {@code backlog}; never one on port {@code other}. */
        private static Optional<InetSocket> listener(List<InetSocket> listeners, int defaultPort, int backlog, int other) {
            Optional<InetSocket> byPort = listeners.stream().filter(l -> l.localPort() == defaultPort).findFirst();
            return byPort.or(() -> listeners.stream()
                    .filter(l -> l.sendQueue() == backlog && l.localPort() != other).findFirst());
        }

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
    }
}
