package io.iocagent.jmx;

import io.iocagent.ops.ConsoleInspection;

import static javax.management.MBeanOperationInfo.ACTION;
import static javax.management.MBeanOperationInfo.ACTION_INFO;
import static javax.management.MBeanOperationInfo.INFO;

import io.iocagent.ops.WhichIoc;
import java.util.Map;
import javax.management.MBeanException;

/**
 * The agent as a whole, registered as {@code epics.ioc:type=Manager}: counts from the latest
 * snapshot, and the operations that take an IOC name or a path. Names are checked against the IOC
 * name rule before anything runs ({@link IllegalArgumentException}).
 */
@Description("The EPICS IOC agent: counts from its latest snapshot, and the ioc-runner operations by IOC name or path.")
public interface ManagerMXBean {

    @Description("system (IOCs under PID 1's manager) or local (under the agent user's manager)")
    String getMode();

    @Description("IOCs in the snapshot: installed configurations plus units systemd knows")
    int getIocCount();

    @Description("IOCs whose unit is active; -1 while systemd is unreachable (not known)")
    long getActiveCount();

    @Description("IOCs whose Readiness is READY")
    long getReadyCount();

    @Description("IOCs whose Readiness is FAILED (fatal token before initialization, or unit failed)")
    long getFailedCount();

    @Description("IOCs whose Readiness is CRASH_LOOP")
    long getCrashLoopCount();

    @Description("IOCs per Readiness value, every value listed (0 included): ReadyCount, FailedCount and "
            + "CrashLoopCount are three of these, and the metric epics_ioc_readiness summed by state gives the same numbers")
    Map<String, Long> getReadinessCounts();

    @Description("Directory the NAME.conf files are read from")
    String getConfDirectory();

    @Description("True when the last call to systemd succeeded")
    boolean isSystemdConnected();

    @Description("When the latest snapshot was taken, ISO-8601 UTC; empty before the first refresh")
    String getLastRefresh();

    @Description("How long the latest refresh took, in milliseconds")
    long getRefreshMillis();

    @Description("Refreshes that failed since the agent started")
    long getRefreshErrors();

    @Description(value = "The IOC table of 'ioc-runner list -v' (asks systemd now)", impact = INFO)
    String list() throws MBeanException;

    // install and generate come as pairs rather than with a boolean "force" parameter: JConsole
    // pre-fills boolean parameters with true, so the dangerous choice would be the default.

    @Description(value = "Validates and installs a configuration as CONF_DIR/NAME.conf; never starts the IOC and "
            + "never replaces a differing configuration (the call then fails, nothing written; see installForce). "
            + "Returns what was printed.", impact = ACTION)
    String install(@Param(name = "path", description = "Absolute path of NAME.conf, or of the iocBoot directory holding it")
                   String path) throws MBeanException;

    @Description(value = "Like install, but replaces a differing configuration without asking. "
            + "Returns what was printed.", impact = ACTION)
    String installForce(@Param(name = "path", description = "Absolute path of NAME.conf, or of the iocBoot directory "
            + "holding it") String path) throws MBeanException;

    @Description(value = "Writes DIR/<dirname>.conf for the iocBoot directory's startup script, validated; never "
            + "replaces a differing file and never picks one of several startup scripts (the call then fails, "
            + "nothing written; see generateForce). Returns what was printed.", impact = ACTION)
    String generate(@Param(name = "dir", description = "Absolute path of the iocBoot directory holding st.cmd") String dir)
            throws MBeanException;

    @Description(value = "Like generate, but replaces a differing file and picks the first of several startup "
            + "scripts without asking. Returns what was printed.", impact = ACTION)
    String generateForce(@Param(name = "dir", description = "Absolute path of the iocBoot directory holding st.cmd")
                         String dir) throws MBeanException;

    @Description(value = "Stops and disables the IOC, then deletes its configuration (logs are kept). "
            + "Returns what was printed.", impact = ACTION)
    String remove(@Param(name = "name", description = "IOC name") String name) throws MBeanException;

    @Description(value = "Starts the IOC and judges the startup. Returns what was printed, ending with the verdict.",
            impact = ACTION)
    String start(@Param(name = "name", description = "IOC name") String name) throws MBeanException;

    @Description(value = "Stops the IOC. Returns what was printed.", impact = ACTION)
    String stop(@Param(name = "name", description = "IOC name") String name) throws MBeanException;

    @Description(value = "Restarts the IOC and judges the startup. Returns what was printed, ending with the verdict.",
            impact = ACTION)
    String restart(@Param(name = "name", description = "IOC name") String name) throws MBeanException;

    @Description(value = "Enables the IOC to start with its manager. Returns what was printed.", impact = ACTION)
    String enable(@Param(name = "name", description = "IOC name") String name) throws MBeanException;

    @Description(value = "Disables the IOC. Returns what was printed.", impact = ACTION)
    String disable(@Param(name = "name", description = "IOC name") String name) throws MBeanException;

    @Description(value = "Who holds the IOC's console socket: server processes and connected clients", impact = INFO)
    ConsoleInspection inspect(@Param(name = "name", description = "IOC name") String name) throws MBeanException;

    @Description(value = "Which IOC of this host serves a PV: asks each running IOC's Channel Access server "
            + "(its own TCP port on loopback) as 'ioc-runner which PVNAME' does. Returns the PV, every IOC serving it "
            + "(ioc, unit, activeState, caServerPort; empty when none does), how many IOCs were asked, and those "
            + "that could not be asked", impact = INFO)
    WhichIoc.Answer whichIoc(@Param(name = "pv", description = "PV name, e.g. IOC:temperature (printable ASCII, "
            + "at most 1024 characters)") String pv) throws MBeanException;

    @Description(value = "Rebuilds the snapshot now instead of waiting for the next refresh; returns a summary",
            impact = ACTION_INFO)
    String refresh() throws MBeanException;
}
