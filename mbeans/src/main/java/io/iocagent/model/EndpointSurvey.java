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
import java.util.function.Supplier;

/**
 * The Channel Access and PV Access servers of every IOC, and their clients, from one
 * {@code inet_diag} dump and the descriptors of each IOC's own processes: the join the console
 * survey does for UNIX sockets, done for TCP and UDP. No process is forked, no packet is sent.
 *
 * <p><b>Which sockets are the IOC's.</b> Its servers are the TCP listeners and bound UDP sockets
 * that may serve CA or PVA ({@link #mayServe}) whose inodes the IOC's processes ({@link IocFacts#iocProcesses}: the unit's processes but
 * procServ) hold in {@code /proc/PID/fd}. procServ's own sockets never count, so a procServ control
 * port is not taken for a server. Its connections are the established TCP sockets whose local end
 * is one of its listeners (the kernel gives every accepted socket its listener's address and
 * port), read from the dump alone; only where two IOCs listen on one address and port
 * ({@code SO_REUSEPORT}) are the descriptors read to tell their connections apart.
 *
 * <p><b>What is read per survey.</b> A process's listeners and bound UDP sockets change rarely
 * (the servers start at {@code iocInit}), clients come and go all the time. So an instance
 * remembers each IOC's server sockets and reads its control group and its processes' descriptors
 * again only when
 * <ul>
 *   <li>it is new, or its control group or main PID changed;</li>
 *   <li>one of the server sockets it held has gone from the dump (a child restarted, a server closed);</li>
 *   <li>a socket that may serve CA or PVA ({@link #mayServe}) appeared in the dump that no known
 *       process holds (a server started late, a new child): then every IOC is read again, once.</li>
 * </ul>
 * A survey in which nothing of that happened reads no file at all: one dump and a join in memory.
 * The main PID is read with the IOC's processes, so that procServ's control port counts as known
 * and does not trigger the third rule at every survey.
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
    /** Surveys after which an IOC not asked about is forgotten (stopped units; the poll asks about every running one). */
    static final int FORGET_AFTER_SURVEYS = 60;

    private final ProcessTable processes;
    /** Client socket inode → PID, from earlier surveys; -1 when no readable process held it. */
    private final Map<Long, Integer> peerPids = new HashMap<>();
    /** What the last descriptor walk of each IOC found, by the caller's key. */
    private final Map<Object, Known> known = new HashMap<>();
    /** Server sockets of the last survey that no known process held (other programs' listeners). */
    private Set<Long> unclaimed = Set.of();
    private long surveys;
    /** IOCs walked before this survey are walked again when next asked about. */
    private long walkAgainBefore;
    private long walks;

    public EndpointSurvey(ProcessTable processes) {
        this.processes = processes;
    }

    /** The processes of one IOC: its own ({@link IocFacts#iocProcesses}) and procServ's, -1 when none. */
    private record Processes(List<Integer> ioc, int main) {
    }

    /** One IOC asked about: what its processes are read under, and how to read them. */
    private record Unit(Object identity, Supplier<Processes> processes) {
    }

    /** What the last descriptor walk of one IOC found; inodes of the socket dump of that survey. */
    private static final class Known {
        final Object identity;
        final List<Integer> pids;
        final Set<Long> servers = new HashSet<>();  // the IOC's listeners and bound UDP sockets
        final Set<Long> others = new HashSet<>();   // procServ's: never the IOC's, but known
        final Set<Long> pending = new HashSet<>();  // sockets the walk saw that the dump had not yet
        final long walkedAt;
        long askedAt;

        Known(Object identity, List<Integer> pids, long walkedAt) {
            this.identity = identity;
            this.pids = pids;
            this.walkedAt = walkedAt;
        }
    }

    /**
     * The endpoints of each running unit, its IOC's processes found by {@link IocFacts#iocProcesses}
     * from the unit's cgroup and MainPID: the one way the agent's model and the command line pick
     * them. A group is read only when its IOC must be walked (see the class comment).
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
        Map<K, Unit> units = new LinkedHashMap<>();
        controlGroups.forEach((key, group) -> {
            int main = mainPids.getOrDefault(key, -1);
            units.put(key, new Unit(List.of(group, main), () -> {
                try {
                    return new Processes(IocFacts.iocProcesses(processes.cgroupPids(group), main), main);
                } catch (IOException | IllegalArgumentException e) {
                    return new Processes(List.of(), -1); // no readable group: no endpoints known
                }
            }));
        });
        return survey(units, dump);
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
        Map<K, Unit> units = new LinkedHashMap<>();
        iocPids.forEach((key, pids) -> {
            List<Integer> ioc = List.copyOf(pids);
            units.put(key, new Unit(ioc, () -> new Processes(ioc, -1)));
        });
        return survey(units, dump);
    }

    /** Descriptor walks of one process done by this instance so far: what a survey costs beyond the dump. */
    long walks() {
        return walks;
    }

    private <K> Map<K, IocEndpoints> survey(Map<K, Unit> units, List<InetSocket> dump) throws IOException {
        long survey = ++surveys;
        Map<Long, InetSocket> servers = mayServe(dump);
        units.forEach((key, unit) -> {
            Known k = known.get(key);
            if (k != null) {
                // what the last walk saw before the dump did: a server now, or no inet socket at all
                k.pending.stream().filter(servers::containsKey).forEach(k.servers::add);
                k.pending.clear();
            }
            if (k == null || !k.identity.equals(unit.identity()) || k.walkedAt < walkAgainBefore
                    || !servers.keySet().containsAll(k.servers) || !servers.keySet().containsAll(k.others)) {
                k = walk(unit, servers, survey);
                known.put(key, k);
            }
            k.askedAt = survey;
        });
        Set<Long> unclaimedNow = unclaimed(servers);
        if (!unclaimed.containsAll(unclaimedNow)) {
            // A server socket nobody known holds: a server that started late, or a new process. Read everyone.
            walkAgainBefore = survey;
            units.forEach((key, unit) -> {
                if (known.get(key).walkedAt < survey) {
                    Known k = walk(unit, servers, survey);
                    k.askedAt = survey;
                    known.put(key, k);
                }
            });
            unclaimedNow = unclaimed(servers);
        }
        unclaimed = unclaimedNow;
        known.values().removeIf(k -> k.askedAt < survey - FORGET_AFTER_SURVEYS);

        Map<K, List<InetSocket>> own = new LinkedHashMap<>();
        units.keySet().forEach(key -> {
            List<InetSocket> sockets = new ArrayList<>();
            known.get(key).servers.stream().map(servers::get).forEach(sockets::add);
            own.put(key, sockets);
        });
        addConnections(own, dump);

        Map<String, InetSocket> connectedByEnds = connectedByEnds(dump);
        Map<K, Servers> found = new LinkedHashMap<>();
        Set<Long> unknownPeers = new HashSet<>();
        Set<Long> peersInUse = new HashSet<>();
        own.forEach((key, sockets) -> {
            Servers s = Servers.of(sockets, connectedByEnds);
            for (Connection c : s.connections()) {
                if (c.peerInode() > 0) {
                    peersInUse.add(c.peerInode());
                    if (!peerPids.containsKey(c.peerInode())) {
                        unknownPeers.add(c.peerInode());
                    }
                }
            }
            found.put(key, s);
        });
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
        found.forEach((k, s) -> endpoints.put(k, s.endpoints(peerPids)));
        return endpoints;
    }

    /**
     * The sockets of {@code dump} that may be a CA or PVA server's, by inode: TCP listeners on
     * {@link #CA_DEFAULT_PORT} or {@link #PVA_DEFAULT_PORT} or with {@link #RSRV_BACKLOG} or
     * {@link #PVACPP_BACKLOG} (what {@link Servers#of} recognises), and bound UDP sockets on
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

    /** Reads one IOC's processes and their descriptors: its server sockets, and procServ's. */
    private Known walk(Unit unit, Map<Long, InetSocket> servers, long survey) {
        Processes p = unit.processes().get();
        Known k = new Known(unit.identity(), p.ioc(), survey);
        for (int pid : p.ioc()) {
            walks++;
            for (long inode : processes.socketsOf(pid).inodes()) {
                (servers.containsKey(inode) ? k.servers : k.pending).add(inode);
            }
        }
        if (p.main() > 0) {
            walks++;
            for (long inode : processes.socketsOf(p.main()).inodes()) {
                if (servers.containsKey(inode)) {
                    k.others.add(inode);
                }
            }
        }
        return k;
    }

    /** The server sockets of {@code servers} that no remembered IOC or procServ holds. */
    private Set<Long> unclaimed(Map<Long, InetSocket> servers) {
        Set<Long> left = new HashSet<>(servers.keySet());
        for (Known k : known.values()) {
            left.removeAll(k.servers);
            left.removeAll(k.others);
        }
        return left;
    }

    /**
     * Adds to each IOC's sockets its established connections: those whose local end is one of its
     * listeners (a wildcard listener matches any local address). Where one local end matches the
     * listeners of several IOCs, those IOCs' descriptors decide.
     */
    private <K> void addConnections(Map<K, List<InetSocket>> own, List<InetSocket> dump) {
        Map<Integer, List<Map.Entry<K, InetAddress>>> listenersByPort = new HashMap<>();
        own.forEach((key, sockets) -> sockets.stream().filter(InetSocket::isListening).forEach(l ->
                listenersByPort.computeIfAbsent(l.localPort(), p -> new ArrayList<>(1))
                        .add(Map.entry(key, l.localAddress()))));
        if (listenersByPort.isEmpty()) {
            return;
        }
        Set<K> shared = new HashSet<>();
        for (InetSocket s : dump) {
            List<Map.Entry<K, InetAddress>> listeners = s.isConnected() && s.inode() != 0
                    ? listenersByPort.get(s.localPort()) : null;
            if (listeners == null) {
                continue;
            }
            Set<K> owners = new HashSet<>(2);
            for (Map.Entry<K, InetAddress> l : listeners) {
                if (l.getValue().isAnyLocalAddress() || l.getValue().equals(s.localAddress())) {
                    owners.add(l.getKey());
                }
            }
            if (owners.size() == 1) {
                own.get(owners.iterator().next()).add(s);
            } else if (owners.size() > 1) {
                shared.addAll(owners);
            }
        }
        for (K key : shared) {
            // Listeners sharing one address and port: the descriptors say whose each connection is.
            List<InetSocket> sockets = own.get(key);
            Set<Long> held = new HashSet<>();
            for (int pid : known.get(key).pids) {
                walks++;
                held.addAll(processes.socketsOf(pid).inodes());
            }
            for (InetSocket s : dump) {
                if (s.isConnected() && held.contains(s.inode()) && !sockets.contains(s)) {
                    sockets.add(s);
                }
            }
        }
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
