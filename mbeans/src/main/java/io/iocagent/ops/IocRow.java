package io.iocagent.ops;

import io.iocagent.model.IocEndpoints;
import io.iocagent.crash.ChildExit;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One IOC as {@code list} shows it: joined from the conf directory, systemd, the socket table
 * and /proc. Absent facts are empty, never a sentinel.
 *
 * @param name            IOC name
 * @param installed       a {@code NAME.conf} exists
 * @param activeState     systemd's ActiveState ({@code inactive} for a unit systemd does not know)
 * @param subState        systemd's SubState
 * @param enabled         systemd's unit-file state ({@code enabled}, {@code disabled}, …)
 * @param started         when the console socket was created (its mtime) — the seed's STARTED
 * @param mainPid         procServ's PID
 * @param cpuNanos        CPU time of the unit (systemd accounting, else summed over its cgroup)
 * @param memoryBytes     memory of the unit (systemd accounting, else RSS summed over its cgroup)
 * @param socketPath      the console socket path (configured, whether or not it exists)
 * @param socket          the listening socket, when one exists
 * @param clients         processes connected to the console
 * @param endpoints       the IOC's CA and PVA servers and clients ({@code -vv} and JSON; else
 *                        {@link IocEndpoints#NONE})
 * @param lastExit        how the last IOC child ended, from the end of the procServ log
 *                        ({@link io.iocagent.procserv.LogTail#lastExit}); JSON only, null when none was found
 * @param orphanPids      processes of the IOC outside its unit, by the model's rule
 *                        ({@link io.iocagent.model.IocFacts#orphanPids}); {@code -vv} and JSON, else empty
 */
public record IocRow(String name, boolean installed, String activeState, String subState, String enabled,
                     Optional<Instant> started, OptionalInt mainPid, OptionalLong cpuNanos, OptionalLong memoryBytes,
                     String socketPath, Optional<SocketFacts> socket, List<Client> clients, IocEndpoints endpoints,
                     ChildExit lastExit, List<Integer> orphanPids) {

    public IocRow {
        endpoints = endpoints == null ? IocEndpoints.NONE : endpoints;
        orphanPids = orphanPids == null ? List.of() : List.copyOf(orphanPids);
    }

    /** A row without orphan processes (none found, or not looked for). */
    public IocRow(String name, boolean installed, String activeState, String subState, String enabled,
                  Optional<Instant> started, OptionalInt mainPid, OptionalLong cpuNanos, OptionalLong memoryBytes,
                  String socketPath, Optional<SocketFacts> socket, List<Client> clients, IocEndpoints endpoints,
                  ChildExit lastExit) {
        this(name, installed, activeState, subState, enabled, started, mainPid, cpuNanos, memoryBytes, socketPath, socket,
                clients, endpoints, lastExit, List.of());
    }

    /** This row with {@code exit} as its last child exit. */
    IocRow withLastExit(ChildExit exit) {
        return new IocRow(name, installed, activeState, subState, enabled, started, mainPid, cpuNanos, memoryBytes,
                socketPath, socket, clients, endpoints, exit, orphanPids);
    }

    /**
     * The listening console socket as the kernel and the file system see it.
     *
     * @param kernelState LISTEN, ESTAB, … ({@code list -vv}'s K-STATE)
     * @param recvQueue   pending connections of the listener
     * @param sendQueue   the listener's backlog limit
     * @param refCount    kernel reference count (/proc/net/unix)
     * @param permissions symbolic mode of the socket file, e.g. {@code srw-rw----}
     */
    public record SocketFacts(String kernelState, long inode, int recvQueue, int sendQueue, int refCount,
                              String permissions) {
    }

    /** A process connected to the IOC's console. */
    public record Client(int pid, String user, String command, Optional<Instant> since) {
    }
}
