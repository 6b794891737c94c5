package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.conf.Layout;
import io.iocagent.systemd.ActiveState;
import io.iocagent.systemd.UnitState;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rules that turn source readings into an IOC's facts, each written once: the agent's model
 * ({@link Refresher}, {@link TrackedIoc}) and the command line's {@code list}, {@code status} and
 * {@code inspect} call these, so two surfaces cannot disagree about one IOC. The readings
 * themselves come from the same collectors too: {@link CgroupUsage} for CPU and memory,
 * {@link ConsoleSurvey} for the console socket and its clients.
 */
public final class IocFacts {

    private IocFacts() {
    }

    /**
     * The console socket of an IOC: the socket of the installed conf's {@code IOC_PORT} when it
     * is set and not empty, else the layout's standard {@code RUN_DIR/NAME/control}.
     *
     * @param iocPort the conf's {@code IOC_PORT}; empty when not installed, unreadable or unset
     */
    public static Path socketPath(Layout layout, IocName name, Optional<String> iocPort) {
        return iocPort.filter(p -> !p.isEmpty()).map(IocPort::socketPath).orElseGet(() -> layout.socketPath(name));
    }

    /**
     * Whether an IOC with this conf and unit state is shown at all: installed, or its unit is
     * something other than plain inactive (running without a conf, or failed). A loaded but
     * inactive unit without a conf is left out, so a removed IOC disappears even while systemd
     * still holds its unit in memory.
     *
     * @param state null when not known
     */
    public static boolean belongs(boolean installed, UnitState state) {
        return installed || state != null && state.active() != ActiveState.INACTIVE
                && !state.loadState().equals("not-found");
    }

    /**
     * The processes of an IOC that are not its unit's: the holders of every listener bound to its
     * console path that the unit's procServ ({@code mainPid}) does not hold — typically a procServ
     * left running by a crashed manager, and its IOC child (which inherits the listener), next to
     * the one the new manager started. procServ takes a console path over at start-up, so such an
     * orphan always leaves a second or unreachable listener bound to the path, which is when
     * {@link ConsoleSurvey} reads the holders.
     *
     * @param mainPid the unit's procServ, 0 or less when the unit has none (then every holder is an orphan)
     * @return PIDs ascending, each once; empty when none (or not looked for)
     */
    public static List<Integer> orphanPids(ConsoleSurvey.Console console, int mainPid) {
        Set<Integer> orphans = new TreeSet<>();
        for (List<Integer> holders : console.listenerHolders()) {
            if (mainPid <= 0 || !holders.contains(mainPid)) {
                orphans.addAll(holders);
            }
        }
        return List.copyOf(orphans);
    }

    /**
     * The IOC's own processes: those of its unit's cgroup but procServ (the unit's main process),
     * i.e. the IOC child procServ forked and anything it forked in turn. Their sockets are the
     * IOC's CA and PVA endpoints ({@link EndpointSurvey}); procServ's are not.
     *
     * @param cgroupPids the unit's processes ({@link io.iocagent.proc.ProcessTable#cgroupPids})
     * @param mainPid    systemd's MainPID, 0 or -1 when none
     */
    public static List<Integer> iocProcesses(List<Integer> cgroupPids, int mainPid) {
        return cgroupPids.stream().filter(pid -> pid != mainPid).toList();
    }

    /**
     * CPU and memory of an IOC: none unless its unit is active; then the unit's cgroup as read
     * from the file system ({@link CgroupUsage}) when it could be read, else systemd's own
     * accounting ({@code CPUUsageNSec}, {@code MemoryCurrent}; empty when accounting is off).
     *
     * @param unit     null when not known
     * @param measured the cgroup reading of the active unit, empty when there is none
     */
    public static Usage usage(UnitState unit, Optional<CgroupUsage> measured) {
        if (unit == null || !unit.isActive()) {
            return Usage.NONE;
        }
        return measured.map(m -> new Usage(OptionalLong.of(m.cpuNanos()), OptionalLong.of(m.memoryBytes())))
                .orElseGet(() -> new Usage(unit.cpuNanos(), unit.memoryBytes()));
    }

    /**
     * CPU time and memory of an IOC's unit.
     *
     * @param cpuNanos    CPU time in nanoseconds, empty when unknown
     * @param memoryBytes memory in bytes, empty when unknown
     */
    public record Usage(OptionalLong cpuNanos, OptionalLong memoryBytes) {

        static final Usage NONE = new Usage(OptionalLong.empty(), OptionalLong.empty());
    }
}
