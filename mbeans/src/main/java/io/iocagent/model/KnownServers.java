package io.iocagent.model;

import io.iocagent.netlink.InetSocket;
import io.iocagent.proc.ProcessTable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The server sockets each IOC's processes hold, remembered across the surveys of one
 * {@link EndpointSurvey}, so that a survey reads descriptors only when something may have changed.
 *
 * <p>An IOC's servers are the sockets that may serve CA or PVA ({@link IocServers#mayServe}) whose
 * inodes the IOC's processes ({@link IocFacts#iocProcesses}: the unit's processes but procServ)
 * hold in {@code /proc/PID/fd}. procServ's own sockets never count, so a procServ control port is
 * not taken for a server. A process's listeners and bound UDP sockets change rarely (the servers
 * start at {@code iocInit}), clients come and go all the time. So each IOC's control group and its
 * processes' descriptors are read again only when
 * <ul>
 *   <li>it is new, or its control group or main PID changed;</li>
 *   <li>one of the server sockets it held has gone from the dump (a child restarted, a server closed);</li>
 *   <li>a socket that may serve CA or PVA appeared in the dump that no known process holds (a
 *       server started late, a new child): then every IOC is read again, once.</li>
 * </ul>
 * A survey in which nothing of that happened reads no file at all. The main PID is read with the
 * IOC's processes, so that procServ's control port counts as known and does not trigger the third
 * rule at every survey. An IOC not asked about for {@link #FORGET_AFTER_SURVEYS} surveys is forgotten.
 *
 * <p>Not thread-safe: owned by one {@link EndpointSurvey}.
 */
final class KnownServers {

    /** Surveys after which an IOC not asked about is forgotten (stopped units; the poll asks about every running one). */
    static final int FORGET_AFTER_SURVEYS = 60;

    /** The processes of one IOC: its own ({@link IocFacts#iocProcesses}) and procServ's, -1 when none. */
    record Processes(List<Integer> ioc, int main) {
    }

    /**
     * One IOC asked about.
     *
     * @param identity  what its processes are read under: when it changes, they are read again
     * @param processes how to read them
     */
    record Unit(Object identity, Supplier<Processes> processes) {
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

    private final ProcessTable processes;
    /** What the last descriptor walk of each IOC found, by the caller's key. */
    private final Map<Object, Known> known = new HashMap<>();
    /** Server sockets of the last survey that no known process held (other programs' listeners). */
    private Set<Long> unclaimed = Set.of();
    private long surveys;
    /** IOCs walked before this survey are walked again when next asked about. */
    private long walkAgainBefore;
    private long walks;

    KnownServers(ProcessTable processes) {
        this.processes = processes;
    }

    /**
     * Brings what is known of each unit up to date with one dump, walking descriptors by the rules
     * of the class comment; afterwards {@link #serversOf} answers for every key of {@code units}.
     *
     * @param servers {@link IocServers#mayServe} of the dump
     */
    <K> void survey(Map<K, Unit> units, Map<Long, InetSocket> servers) {
        long survey = ++surveys;
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
    }

    /** The server sockets (inodes) of the IOC under {@code key}, as of the last {@link #survey} that asked about it. */
    Set<Long> serversOf(Object key) {
        return known.get(key).servers;
    }

    /** Every socket (inode) the IOC's own processes hold now: one descriptor walk of each. */
    Set<Long> socketsHeldBy(Object key) {
        Set<Long> held = new HashSet<>();
        for (int pid : known.get(key).pids) {
            walks++;
            held.addAll(processes.socketsOf(pid).inodes());
        }
        return held;
    }

    /** Descriptor walks of one process done so far: what a survey costs beyond the dump. */
    long walks() {
        return walks;
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
}
