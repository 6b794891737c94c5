package io.iocagent.jmx;

import io.iocagent.ops.ConsoleInspection;

import static javax.management.MBeanOperationInfo.ACTION;
import static javax.management.MBeanOperationInfo.INFO;

import io.iocagent.model.ConsoleClientInfo;
import io.iocagent.model.NetworkClient;
import java.util.List;
import javax.management.MBeanException;

/**
 * One IOC, registered as {@code epics.ioc:type=Ioc,name=NAME} while the agent's snapshots list it.
 * Attributes read the latest snapshot (never systemd); operations run the command line's
 * operations. Absent numbers are -1 ({@code NaN} for CPU seconds), absent texts empty.
 * Emits {@link javax.management.AttributeChangeNotification}s for {@code ActiveState} and
 * {@code Readiness}.
 */
@Description("An EPICS IOC run by procServ under systemd. Attributes come from the agent's latest snapshot; "
        + "operations act like the ioc-runner commands of the same name. Notifies ActiveState and Readiness changes.")
public interface IocMXBean {

    @Description("IOC name: the configuration file name without .conf")
    String getName();

    @Description("True when NAME.conf is installed in the configuration directory")
    boolean isInstalled();

    @Description("systemd ActiveState of the unit: active, activating, deactivating, inactive, failed, reloading")
    String getActiveState();

    @Description("systemd SubState of the unit, e.g. running, dead, auto-restart")
    String getSubState();

    @Description("True when the unit is enabled to start with its manager (boot, or login/linger in local mode)")
    boolean isEnabled();

    @Description("Whether the IOC is usable: STOPPED, STARTING, READY, CRASH_LOOP, FAILED, HUNG or UNKNOWN "
            + "(same rules as the start verdict; HUNG: ready and alive, but its Channel Access server stopped "
            + "answering the agent's probe)")
    String getReadiness();

    @Description("procServ's PID (systemd MainPID), -1 when none")
    int getMainPid();

    @Description("The IOC child's PID from procServ's log, -1 when none")
    int getChildPid();

    @Description("CPU time used by the unit, in seconds; NaN when unknown")
    double getCpuSeconds();

    @Description("Memory used by the unit, in bytes; -1 when unknown")
    long getMemoryBytes();

    @Description("Times systemd restarted procServ (systemd NRestarts)")
    long getServiceRestarts();

    @Description("Times procServ restarted the IOC child, counted from its log")
    long getChildRestarts();

    @Description("When the unit became active, ISO-8601 UTC; empty when not active")
    String getStartedAt();

    @Description("Seconds since the unit became active; -1 when not active")
    long getUptimeSeconds();

    @Description("The console socket path (IOC_PORT)")
    String getSocketPath();

    @Description("LISTEN when the console socket listens, else ABSENT")
    String getSocketState();

    @Description("Number of processes connected to the console")
    int getConsoleClientCount();

    @Description("Processes connected to the console: pid, user, command")
    List<ConsoleClientInfo> getConsoleClients();

    @Description("PIDs of processes of the IOC outside its unit: an orphaned procServ (left by a crashed "
            + "manager) and its child, holding the IOC's console path beside the unit's procServ; empty when none")
    List<Integer> getOrphanPids();

    @Description("Console listener's pending (not yet accepted) connections")
    int getRecvQueue();

    @Description("Console listener's backlog limit")
    int getSendQueue();

    @Description("The installed configuration file")
    String getConfPath();

    @Description("The procServ log file")
    String getLogPath();

    @Description("The IOC's command (IOC_CMD)")
    String getCommand();

    @Description("The IOC's working directory (IOC_CHDIR)")
    String getWorkingDirectory();

    @Description("The last error or fatal line of the log since the child started; empty when none")
    String getLastError();

    @Description("How the last IOC child ended, from procServ's log: 'exited with status N' or "
            + "'killed by signal NAME (N)', with its PID; empty when no exit was read")
    String getLastExit();

    @Description("The last child exit as a metric reason: exit_N or signal_NAME; empty when none. "
            + "Each exit is notified as an attribute change of LastExitReason")
    String getLastExitReason();

    @Description("When the agent read the last child exit, ISO-8601 UTC; empty when unknown "
            + "(read from the log at start-up) or none")
    String getLastExitAt();

    @Description("1 while the IOC's Channel Access server answers the agent's hang probe, 0 after it failed "
            + "probe.failures times in a row (Readiness HUNG), -1 when not probed (serves no Channel Access, "
            + "not READY, or not probed yet)")
    int getResponsive();

    @Description("Round-trip time of the last answered hang probe (CA VERSION and ECHO), in seconds; NaN when "
            + "not probed or not answering")
    double getProbeSeconds();

    @Description("TCP port of the IOC's Channel Access server (rsrv), from the kernel's socket table; "
            + "-1 when it serves no CA (not running, not initialised, or not an EPICS IOC)")
    int getCaServerPort();

    @Description("UDP port the IOC's CA server answers name searches on (normally 5064, shared by the host's IOCs); "
            + "-1 when not seen")
    int getCaSearchPort();

    @Description("TCP port of the IOC's PV Access server; -1 when it serves no PVA")
    int getPvaServerPort();

    @Description("Channel Access clients connected (TCP circuits to the CA server port)")
    int getCaClientCount();

    @Description("Channel Access clients: address, port, and pid when the client runs on this host (else -1)")
    List<NetworkClient> getCaClients();

    @Description("PV Access clients connected (TCP connections to the PVA server port)")
    int getPvaClientCount();

    @Description("PV Access clients: address, port, and pid when the client runs on this host (else -1)")
    List<NetworkClient> getPvaClients();

    @Description(value = "Starts the IOC, waits for systemd's job and judges the startup from the log. "
            + "Returns what was printed, ending with the verdict.", impact = ACTION)
    String start() throws MBeanException;

    @Description(value = "Stops the IOC and waits for systemd's job. Returns what was printed.", impact = ACTION)
    String stop() throws MBeanException;

    @Description(value = "Restarts the IOC (starts it if stopped) and judges the startup. "
            + "Returns what was printed, ending with the verdict.", impact = ACTION)
    String restart() throws MBeanException;

    @Description(value = "Enables the IOC to start with its manager. Returns what was printed.", impact = ACTION)
    String enable() throws MBeanException;

    @Description(value = "Disables the IOC: it no longer starts with its manager. Returns what was printed.",
            impact = ACTION)
    String disable() throws MBeanException;

    @Description(value = "Who holds the console socket: server processes (procServ, IOC) and connected clients",
            impact = INFO)
    ConsoleInspection inspect() throws MBeanException;

    @Description(value = "The last lines of the IOC's procServ log", impact = INFO)
    List<String> tailLog(@Param(name = "lines", description = "How many lines, 1 to 10000") int lines)
            throws MBeanException;

    @Description(value = "The configuration file and the unit files systemd resolves for this IOC", impact = INFO)
    String view() throws MBeanException;
}
