package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.netlink.InetSocketDiag;
import io.iocagent.netlink.NetlinkException;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.proc.ProcessTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the model reads of the host about the IOCs' processes, not from systemd: the consoles on
 * their socket paths (one {@code unix_diag} dump, at most one {@code /proc} scan), each active
 * unit's CPU and memory ({@link CgroupUsage}), and their CA/PVA endpoints (one {@code inet_diag}
 * dump, {@link EndpointSurvey}). A source that cannot be read gives null and a line in
 * {@code problems}; the IOCs then keep what they had.
 *
 * <p>Used on the poll thread only: the process table, the cgroup reader and the endpoint survey
 * remember what they read between polls.
 */
final class HostSurvey {

    /**
     * Where memory must be summed from {@code /proc} (no cgroup memory controller), a poll sums it
     * again for a running unit whose processes did not change only every this many polls.
     */
    static final int MEMORY_SUM_EVERY_POLLS = 6;

    private final ProcessTable processes = new ProcessTable();
    private final UnixSocketDiag socketDiag = new UnixSocketDiag();
    private final CgroupUsage.Reader usageReader = CgroupUsage.reader(processes, MEMORY_SUM_EVERY_POLLS);
    private final InetSocketDiag inetDiag = new InetSocketDiag();
    private final EndpointSurvey endpointSurvey = new EndpointSurvey(processes);

    /**
     * The consoles on {@code socketPaths} from one socket dump (and at most one /proc scan); null
     * when they cannot be read ({@code problems} says why).
     */
    Map<Path, ConsoleSurvey.Console> consoles(Collection<Path> socketPaths, List<String> problems) {
        if (socketPaths.isEmpty()) {
            return Map.of();
        }
        try {
            return ConsoleSurvey.take(socketPaths, socketDiag.dump(), processes);
        } catch (NetlinkException e) {
            problems.add("cannot read the UNIX socket table: " + e.getMessage());
        } catch (IOException e) {
            problems.add("cannot scan /proc for console clients: " + e.getMessage());
        }
        return null;
    }

    /** Forgets what the cgroup reader remembers of any cgroup not in {@code controlGroups} (a full poll's). */
    void retain(Collection<String> controlGroups) {
        usageReader.retain(controlGroups);
    }

    /**
     * CPU and memory of each cgroup; IOCs whose cgroup cannot be read are missing.
     *
     * @param fresh sum process memory anew (units that just started or stopped); else see {@link #MEMORY_SUM_EVERY_POLLS}
     */
    Map<IocName, CgroupUsage> usage(Map<IocName, String> controlGroups, boolean fresh) {
        Map<IocName, CgroupUsage> usage = new HashMap<>();
        controlGroups.forEach((name, group) -> usageReader.read(group, fresh).ifPresent(u -> usage.put(name, u)));
        return usage;
    }

    /**
     * The CA/PVA endpoints of the active IOCs from one {@code inet_diag} dump, the descriptors of
     * each IOC's processes and at most one /proc scan for new local clients; null when the socket
     * table cannot be read ({@code problems} says why).
     */
    Map<IocName, IocEndpoints> endpoints(Map<IocName, String> controlGroups, Map<IocName, Integer> mainPids,
                                         List<String> problems) {
        if (controlGroups.isEmpty()) {
            return Map.of();
        }
        try {
            return endpointSurvey.takeUnits(controlGroups, mainPids, inetDiag.dump().sockets());
        } catch (NetlinkException e) {
            problems.add("cannot read the TCP/UDP socket table: " + e.getMessage());
        } catch (IOException e) {
            problems.add("cannot scan /proc for CA/PVA clients: " + e.getMessage());
        }
        return null;
    }

    /**
     * Consoles, usage (summed anew) and endpoints of IOCs whose child or unit just started or
     * stopped, as one {@link Readings#details}.
     */
    Readings details(Set<IocName> names, Map<IocName, Path> sockets, Map<IocName, String> controlGroups,
                     Map<IocName, Integer> mainPids) {
        List<String> problems = new ArrayList<>();
        Map<Path, ConsoleSurvey.Console> consoles = consoles(sockets.values(), problems);
        Map<IocName, CgroupUsage> usage = usage(controlGroups, true);
        Map<IocName, IocEndpoints> endpoints = endpoints(controlGroups, mainPids, problems);
        return Readings.details(names, consoles, usage, problems, endpoints);
    }
}
