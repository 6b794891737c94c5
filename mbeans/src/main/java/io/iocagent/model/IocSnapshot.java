package io.iocagent.model;

import io.iocagent.crash.ChildExit;
import io.iocagent.systemd.ActiveState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One IOC at one moment. Absent numbers are -1 (counts, PIDs, bytes) or {@code NaN} (CPU
 * seconds); absent texts are empty; {@code startedAt} is null when the unit is not active.
 *
 * @param name               IOC name
 * @param installed          {@code NAME.conf} exists
 * @param active             systemd's ActiveState, typed; {@link ActiveState#UNKNOWN} while systemd is unreachable,
 *                           was never asked about the unit, or answered a word this project does not know.
 *                           Surfaces print {@link #activeState()}
 * @param subState           systemd SubState
 * @param enabled            unit file state is enabled
 * @param readiness          see {@link Readiness}
 * @param mainPid            procServ's PID, -1 if none
 * @param childPid           the IOC child's PID from procServ's log, -1 if none
 * @param cpuSeconds         CPU time of the unit, NaN if unknown
 * @param memoryBytes        memory of the unit, -1 if unknown
 * @param serviceRestarts    systemd's NRestarts (procServ restarted by systemd)
 * @param childRestarts      procServ's own restarts of the IOC child, counted from its log
 * @param startedAt          when the unit became active (ActiveEnterTimestamp), null if inactive
 * @param socketPath         configured console socket path
 * @param socketState        LISTEN when the console socket listens, else ABSENT
 * @param consoleClients     processes connected to the console
 * @param recvQueue          the listener's pending connections
 * @param sendQueue          the listener's backlog limit
 * @param confPath           the configuration file
 * @param logPath            the procServ log file
 * @param command            IOC_CMD
 * @param workingDirectory   IOC_CHDIR
 * @param lastError          the last error or fatal line from the log since the child started, or empty
 * @param lastExit           how the last child ended, as procServ logged it; null when no exit was read
 * @param childExits         child exits read since watching began, by reason ({@code exit_N}, {@code signal_NAME})
 * @param endpoints          the IOC's Channel Access and PV Access servers and their clients; never null
 * @param orphanPids         processes of the IOC outside its unit (holding its console listener, not the
 *                           unit's procServ's), ascending; see {@link IocFacts#orphanPids}
 * @param responsiveness     what the hang probe found about the current child's Channel Access server
 *                           ({@link Responsiveness#UNPROBED} when it does not apply)
 */
public record IocSnapshot(String name, boolean installed, ActiveState active, String subState, boolean enabled,
                          Readiness readiness, int mainPid, int childPid, double cpuSeconds, long memoryBytes,
                          long serviceRestarts, long childRestarts, Instant startedAt, String socketPath,
                          String socketState, List<ConsoleClientInfo> consoleClients, int recvQueue, int sendQueue,
                          String confPath, String logPath, String command, String workingDirectory, String lastError,
                          ChildExit lastExit, Map<String, Long> childExits, IocEndpoints endpoints,
                          List<Integer> orphanPids, Responsiveness responsiveness) {

    public IocSnapshot {
        consoleClients = List.copyOf(consoleClients);
        childExits = Map.copyOf(childExits);
        endpoints = endpoints == null ? IocEndpoints.NONE : endpoints;
        orphanPids = orphanPids == null ? List.of() : List.copyOf(orphanPids);
        responsiveness = responsiveness == null ? Responsiveness.UNPROBED : responsiveness;
        active = active == null ? ActiveState.UNKNOWN : active;
    }

    /** A snapshot the hang probe did not find anything about ({@link Responsiveness#UNPROBED}). */
    public IocSnapshot(String name, boolean installed, ActiveState active, String subState, boolean enabled,
                       Readiness readiness, int mainPid, int childPid, double cpuSeconds, long memoryBytes,
                       long serviceRestarts, long childRestarts, Instant startedAt, String socketPath,
                       String socketState, List<ConsoleClientInfo> consoleClients, int recvQueue, int sendQueue,
                       String confPath, String logPath, String command, String workingDirectory, String lastError,
                       ChildExit lastExit, Map<String, Long> childExits, IocEndpoints endpoints, List<Integer> orphanPids) {
        this(name, installed, active, subState, enabled, readiness, mainPid, childPid, cpuSeconds, memoryBytes,
                serviceRestarts, childRestarts, startedAt, socketPath, socketState, consoleClients, recvQueue, sendQueue,
                confPath, logPath, command, workingDirectory, lastError, lastExit, childExits, endpoints, orphanPids,
                Responsiveness.UNPROBED);
    }

    /** A snapshot without CA/PVA endpoints ({@link IocEndpoints#NONE}), without orphans, not probed. */
    public IocSnapshot(String name, boolean installed, ActiveState active, String subState, boolean enabled,
                       Readiness readiness, int mainPid, int childPid, double cpuSeconds, long memoryBytes,
                       long serviceRestarts, long childRestarts, Instant startedAt, String socketPath,
                       String socketState, List<ConsoleClientInfo> consoleClients, int recvQueue, int sendQueue,
                       String confPath, String logPath, String command, String workingDirectory, String lastError,
                       ChildExit lastExit, Map<String, Long> childExits) {
        this(name, installed, active, subState, enabled, readiness, mainPid, childPid, cpuSeconds, memoryBytes,
                serviceRestarts, childRestarts, startedAt, socketPath, socketState, consoleClients, recvQueue, sendQueue,
                confPath, logPath, command, workingDirectory, lastError, lastExit, childExits, IocEndpoints.NONE, List.of(),
                Responsiveness.UNPROBED);
    }

    /** The unit's ActiveState as systemd words it ({@code active}, {@code failed}, …; {@code unknown}): what surfaces show. */
    public String activeState() {
        return active.word();
    }

    /** True when the unit's ActiveState is known (systemd answered, with a word this project knows). */
    public boolean stateKnown() {
        return active != ActiveState.UNKNOWN;
    }

    /** True while the unit's processes run ({@link ActiveState#isUp}: active, reloading, refreshing). */
    public boolean up() {
        return active.isUp();
    }

    /** Seconds since {@link #startedAt}, or -1 when not active. */
    public long uptimeSeconds(Instant now) {
        return startedAt == null ? -1 : Math.max(0, now.getEpochSecond() - startedAt.getEpochSecond());
    }
}
