package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.proc.ProcessTable;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every IOC the model tracks, and the one update path: {@link #apply} folds what a refresh read
 * ({@link Readings}) into them, whichever trigger read it. Also says what a poll must read
 * ({@link #plan}) and builds the IOCs' snapshots.
 *
 * <p>Not thread-safe: the refresher's model thread owns it.
 */
final class Fleet {

    /**
     * What a poll reads, decided from what the model holds.
     *
     * @param names         every IOC there is, as far as the listed confs and units tell
     * @param held          the IOCs tracked now (kept when systemd cannot be asked)
     * @param statesToRead  the units whose full state to read
     * @param socketPaths   the console socket of each of {@code names}
     * @param controlGroups the cgroup of each active tracked IOC
     * @param mainPids      procServ's PID of each active tracked IOC (its unit's MainPID)
     */
    record PollPlan(Set<IocName> names, Set<IocName> held, Set<IocName> statesToRead,
                    Map<IocName, Path> socketPaths, Map<IocName, String> controlGroups, Map<IocName, Integer> mainPids) {
    }

    private final Layout layout;
    private final ProcessTable processes = new ProcessTable();
    private final ReconcileSchedule reconcile;
    private final Map<IocName, TrackedIoc> iocs = new TreeMap<>();

    Fleet(Layout layout, ReconcileSchedule reconcile) {
        this.layout = layout;
        this.reconcile = reconcile;
    }

    /**
     * What a poll reads, given the confs and units it listed.
     *
     * @param installed null when the conf directory could not be listed (the held confs count)
     * @param listed    null when systemd could not be asked (every held IOC counts)
     * @param readAll   read every unit's full state (first poll, or after systemd was unreachable)
     */
    PollPlan plan(Map<IocName, InstalledConf> installed, Map<UnitName, UnitSummary> listed, boolean readAll) {
        Set<IocName> names = new TreeSet<>();
        if (installed != null) {
            names.addAll(installed.keySet());
        } else {
            iocs.values().stream().filter(i -> i.conf() != null).forEach(i -> names.add(i.name()));
        }
        Map<IocName, UnitSummary> byName = new HashMap<>();
        if (listed != null) {
            listed.forEach((u, s) -> byName.put(u.name(), s));
            names.addAll(byName.keySet());
        } else {
            names.addAll(iocs.keySet());
        }
        Map<IocName, UnitState> held = new HashMap<>();
        iocs.forEach((n, i) -> {
            if (i.unit() != null) {
                held.put(n, i.unit());
            }
        });
        Set<IocName> toRead = listed == null ? Set.of() : reconcile.select(names, byName, held, readAll);
        Map<IocName, Path> sockets = new HashMap<>();
        for (IocName name : names) {
            TrackedIoc ioc = iocs.get(name);
            InstalledConf conf = installed != null ? installed.get(name) : ioc == null ? null : ioc.conf();
            sockets.put(name, conf != null ? conf.socketPath() : layout.socketPath(name));
        }
        Map<IocName, String> groups = controlGroups(iocs.keySet());
        return new PollPlan(names, Set.copyOf(iocs.keySet()), toRead, sockets, groups, mainPids(groups.keySet()));
    }

    /**
     * Folds {@code r} into the model: confs, unit states (unless older than what the IOC already
     * knows), consoles and usage; starts tracking IOCs that now belong and drops those that no
     * longer do. A complete reading first reads every log on (after its states were read: a log
     * line newer than a state makes that state stale, see {@link TrackedIoc#accepts}).
     *
     * @return the IOCs whose console and usage should be read again now: their child started or
     *         ended, or their unit became active or inactive
     */
    Set<IocName> apply(Readings r, Instant now) {
        Set<IocName> follow = new TreeSet<>();
        if (r.complete()) {
            for (TrackedIoc ioc : iocs.values()) {
                if (r.confs() != null) {
                    ioc.conf(r.confs().get(ioc.name()));
                }
                if (ioc.readLog(now)) {
                    follow.add(ioc.name());
                }
            }
        }
        for (IocName name : r.names()) {
            TrackedIoc ioc = iocs.get(name);
            InstalledConf conf = r.confs() != null ? r.confs().get(name) : ioc == null ? null : ioc.conf();
            UnitState read = r.states() == null ? null : r.states().get(name);
            UnitState fresh = read != null && (ioc == null || ioc.accepts(r.statesReadAt())) ? read : null;
            if (!TrackedIoc.belongs(conf, fresh != null ? fresh : ioc == null ? null : ioc.unit())) {
                iocs.remove(name);
                continue;
            }
            if (ioc == null) {
                ioc = track(name, conf, now);
            } else if (r.confs() != null) {
                ioc.conf(conf);
            }
            if (fresh != null) {
                boolean wasActive = ioc.active();
                ioc.unit(fresh, now, r.statesReadAt());
                if (wasActive != ioc.active()) {
                    follow.add(name);
                }
            }
            if (r.consoles() != null) {
                ioc.console(r.consoles().getOrDefault(ioc.socketPath(), ConsoleSurvey.Console.ABSENT));
            }
            if (r.usageRead().contains(name)) {
                ioc.usage(ioc.active() ? r.usage().get(name) : null);
                if (r.endpoints() != null) {
                    ioc.endpoints(ioc.active() ? r.endpoints().getOrDefault(name, IocEndpoints.NONE) : IocEndpoints.NONE);
                }
            }
        }
        if (r.complete()) {
            iocs.keySet().retainAll(r.names());
            for (TrackedIoc ioc : iocs.values()) {
                if (ioc.checkChild(now, procServ -> childOf(ioc, procServ))) {
                    follow.add(ioc.name());
                }
            }
        }
        return follow;
    }

    /**
     * Reads the logs of {@code names} (every IOC when null) on from where they were.
     *
     * @return the IOCs whose child started or ended (their console may have come or gone)
     */
    Set<IocName> readLogs(Collection<IocName> names, Instant now) {
        Set<IocName> changed = new TreeSet<>();
        for (TrackedIoc ioc : names == null ? iocs.values() : names.stream().map(iocs::get).filter(i -> i != null).toList()) {
            if (ioc.readLog(now)) {
                changed.add(ioc.name());
            }
        }
        return changed;
    }

    /** The console socket of each of {@code names} that is tracked. */
    Map<IocName, Path> socketPaths(Collection<IocName> names) {
        Map<IocName, Path> paths = new HashMap<>();
        for (IocName name : names) {
            TrackedIoc ioc = iocs.get(name);
            if (ioc != null) {
                paths.put(name, ioc.socketPath());
            }
        }
        return paths;
    }

    /** Those of {@code names} that are tracked and whose unit is active. */
    Set<IocName> activeAmong(Collection<IocName> names) {
        Set<IocName> active = new TreeSet<>();
        for (IocName name : names) {
            TrackedIoc ioc = iocs.get(name);
            if (ioc != null && ioc.active()) {
                active.add(name);
            }
        }
        return active;
    }

    /** The cgroup of each of {@code names} that is tracked and active. */
    Map<IocName, String> controlGroups(Collection<IocName> names) {
        Map<IocName, String> groups = new HashMap<>();
        for (IocName name : names) {
            TrackedIoc ioc = iocs.get(name);
            if (ioc != null && ioc.active()) {
                groups.put(name, ioc.unit().controlGroup());
            }
        }
        return groups;
    }

    /** procServ's PID (the unit's MainPID) of each of {@code names} that is tracked and active. */
    Map<IocName, Integer> mainPids(Collection<IocName> names) {
        Map<IocName, Integer> pids = new HashMap<>();
        for (IocName name : names) {
            TrackedIoc ioc = iocs.get(name);
            if (ioc != null && ioc.active()) {
                pids.put(name, ioc.unit().mainPid());
            }
        }
        return pids;
    }

    /** The held conf of each of {@code names}; null for those not installed or not tracked. */
    Map<IocName, InstalledConf> confs(Collection<IocName> names) {
        Map<IocName, InstalledConf> confs = new HashMap<>();
        for (IocName name : names) {
            TrackedIoc ioc = iocs.get(name);
            confs.put(name, ioc == null ? null : ioc.conf());
        }
        return confs;
    }

    /**
     * Takes the hang probe's findings; IOCs no longer tracked are skipped.
     *
     * @return true when whether some IOC answers changed (its readiness may have)
     */
    boolean probed(Map<IocName, Responsiveness> found) {
        boolean changed = false;
        for (Map.Entry<IocName, Responsiveness> e : found.entrySet()) {
            TrackedIoc ioc = iocs.get(e.getKey());
            if (ioc != null) {
                changed |= ioc.probed(e.getValue());
            }
        }
        return changed;
    }

    /** Every IOC now, as surfaces see it. */
    SortedMap<String, IocSnapshot> snapshots(boolean systemdConnected, Instant now) {
        SortedMap<String, IocSnapshot> built = new TreeMap<>();
        for (TrackedIoc ioc : iocs.values()) {
            built.put(ioc.name().value(), ioc.snapshot(systemdConnected, now));
        }
        return built;
    }

    /** Starts tracking an IOC: reads its whole log once to learn its current child. */
    private TrackedIoc track(IocName name, InstalledConf conf, Instant now) {
        TrackedIoc ioc = new TrackedIoc(name, layout, this::parentOf);
        ioc.conf(conf);
        ioc.readLog(now);
        iocs.put(name, ioc);
        return ioc;
    }

    /**
     * The live child of procServ {@code procServ} among the processes of {@code ioc}'s unit, -1 when
     * none is found (asked only when a child vanished unlogged, so rarely).
     */
    private int childOf(TrackedIoc ioc, int procServ) {
        String group = ioc.unit() == null ? "" : ioc.unit().controlGroup();
        if (group.isEmpty()) {
            return -1;
        }
        try {
            for (int pid : IocFacts.iocProcesses(processes.cgroupPids(group), procServ)) {
                if (parentOf(pid) == procServ) {
                    return pid;
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return -1;
        }
        return -1;
    }

    /** The parent of a live process, -1 when it is gone, a zombie (dead, not yet reaped) or unreadable. */
    private int parentOf(int pid) {
        return processes.parentPid(pid);
    }
}
