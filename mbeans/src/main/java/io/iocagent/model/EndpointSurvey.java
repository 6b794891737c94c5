package io.iocagent.model;

import io.iocagent.netlink.InetSocket;
import io.iocagent.proc.ProcessTable;
import io.iocagent.proc.SocketHolders;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Channel Access and PV Access servers of every IOC, and their clients, from one
 * {@code inet_diag} dump and the descriptors of each IOC's own processes: the join the console
 * survey does for UNIX sockets, done for TCP and UDP. No process is forked, no packet is sent.
 *
 * <p>A survey takes three steps, each a class of its own:
 * <ol>
 *   <li><b>Which server sockets are the IOC's</b> ({@link KnownServers}): the sockets that may serve
 *       CA or PVA that the IOC's processes hold, remembered, so that a survey in which nothing
 *       changed reads no file at all: one dump and a join in memory.</li>
 *   <li><b>Which connections are the IOC's</b> (here): the established TCP sockets whose local end is
 *       one of its listeners (the kernel gives every accepted socket its listener's address and
 *       port), read from the dump alone; only where two IOCs listen on one address and port
 *       ({@code SO_REUSEPORT}) are the descriptors read to tell their connections apart.</li>
 *   <li><b>What they serve</b> ({@link IocServers}): which listener is the CA or the PVA server, the
 *       CA search port, and the client connections.</li>
 * </ol>
 * A client on this host is then named by the process holding its end of the connection, found by
 * one scan of {@code /proc}, done only for client sockets not already known from an earlier survey
 * of this instance (one instance per model keeps them; the command line uses a fresh one).
 *
 * <p>Not thread-safe: one owner (the refresher's poll thread, or one command).
 */
public final class EndpointSurvey {

    /** Known client sockets kept at most, so a flood of short connections cannot grow the cache. */
    static final int PEER_CACHE_LIMIT = 4096;

    private final ProcessTable processes;
    private final KnownServers known;
    /** Client socket inode → PID, from earlier surveys; -1 when no readable process held it. */
    private final Map<Long, Integer> peerPids = new HashMap<>();

    public EndpointSurvey(ProcessTable processes) {
        this.processes = processes;
        this.known = new KnownServers(processes);
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
        Map<K, KnownServers.Unit> units = new LinkedHashMap<>();
        controlGroups.forEach((key, group) -> {
            int main = mainPids.getOrDefault(key, -1);
            units.put(key, new KnownServers.Unit(List.of(group, main), () -> {
                try {
                    return new KnownServers.Processes(IocFacts.iocProcesses(processes.cgroupPids(group), main), main);
                } catch (IOException | IllegalArgumentException e) {
                    return new KnownServers.Processes(List.of(), -1); // no readable group: no endpoints known
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
        Map<K, KnownServers.Unit> units = new LinkedHashMap<>();
        iocPids.forEach((key, pids) -> {
            List<Integer> ioc = List.copyOf(pids);
            units.put(key, new KnownServers.Unit(ioc, () -> new KnownServers.Processes(ioc, -1)));
        });
        return survey(units, dump);
    }

    /** Descriptor walks of one process done by this instance so far: what a survey costs beyond the dump. */
    long walks() {
        return known.walks();
    }

    private <K> Map<K, IocEndpoints> survey(Map<K, KnownServers.Unit> units, List<InetSocket> dump)
            throws IOException {
        Map<Long, InetSocket> servers = IocServers.mayServe(dump);
        known.survey(units, servers);

        Map<K, List<InetSocket>> own = new LinkedHashMap<>();
        units.keySet().forEach(key -> {
            List<InetSocket> sockets = new ArrayList<>();
            known.serversOf(key).stream().map(servers::get).forEach(sockets::add);
            own.put(key, sockets);
        });
        addConnections(own, dump);

        Map<String, InetSocket> connectedByEnds = IocServers.connectedByEnds(dump);
        Map<K, IocServers> found = new LinkedHashMap<>();
        Set<Long> unknownPeers = new HashSet<>();
        Set<Long> peersInUse = new HashSet<>();
        own.forEach((key, sockets) -> {
            IocServers s = IocServers.of(sockets, connectedByEnds);
            for (IocServers.Connection c : s.connections()) {
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
            Set<Long> held = known.socketsHeldBy(key);
            for (InetSocket s : dump) {
                if (s.isConnected() && held.contains(s.inode()) && !sockets.contains(s)) {
                    sockets.add(s);
                }
            }
        }
    }
}
