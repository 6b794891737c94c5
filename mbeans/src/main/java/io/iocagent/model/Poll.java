package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.systemd.SystemdException;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll, for what sends no event: it lists the conf directory and the units
 * ({@code ListUnitsByPatterns}), has the model thread plan what to read ({@link Fleet#plan}), reads
 * the full state of the units {@link ReconcileSchedule} picks, then the consoles, cgroups and
 * endpoints of the IOCs ({@link HostSurvey}); only then does the model thread take a few
 * milliseconds to fold the readings in ({@link ModelUpdates#polled}). A poll therefore never holds
 * up a notification. The phase timings are logged at debug level.
 *
 * <p>Runs on the poll thread only; {@link #watch} may be called from any thread.
 */
final class Poll {

    private static final Logger LOG = LoggerFactory.getLogger(Poll.class);

    private final Layout layout;
    private final ConfDirectory confs;
    private final UnitSource units;
    private final HostSurvey host;
    private final ModelThreads threads;
    private final ModelUpdates updates;
    private volatile DirectoryWatch watch;

    Poll(Layout layout, ConfDirectory confs, UnitSource units, HostSurvey host, ModelThreads threads,
         ModelUpdates updates) {
        this.layout = layout;
        this.confs = confs;
        this.units = units;
        this.host = host;
        this.threads = threads;
        this.updates = updates;
    }

    /** The watch of the conf and log directories, re-armed at each poll (it may have lost track of a directory). */
    void watch(DirectoryWatch watch) {
        this.watch = watch;
    }

    /** Polls; a failure counts as a refresh error and is logged (the next poll tries again). */
    void runGuarded() {
        try {
            run();
        } catch (RuntimeException e) {
            if (threads.closing()) {
                return; // closing: the model thread no longer takes work
            }
            threads.onModelLater(updates::pollFailed);
            LOG.error("Refreshing the IOC model failed; trying again at the next poll", e);
        }
    }

    /** Asks for a poll on the poll thread, after whatever it is doing; any thread. */
    void soon() {
        threads.onPollLater(this::runGuarded);
    }

    /**
     * While systemd is unreachable, asks it again ({@link UnitSource#ping}, which reconnects) and
     * polls at once when it answers: after the manager was replaced the model follows within a
     * second or two, not at the next poll. Does nothing while connected.
     */
    void reconnect() {
        if (units.connected()) {
            return;
        }
        try {
            units.ping();
        } catch (SystemdException e) {
            return; // noted by units; asked again in a second
        } catch (RuntimeException e) {
            LOG.debug("Asking systemd again failed", e);
            return;
        }
        runGuarded();
    }

    private void run() {
        long t0 = System.nanoTime();
        List<String> problems = new ArrayList<>();
        DirectoryWatch w = watch;
        if (w != null) {
            w.rearm();
        }
        Map<IocName, InstalledConf> installed = null;
        try {
            installed = confs.scan();
            problems.addAll(confs.takeReadFailures());
        } catch (IOException e) {
            problems.add("cannot list " + layout.confDir() + ": " + e.getMessage());
        }
        Map<UnitName, UnitSummary> listed = null;
        try {
            listed = units.list();
        } catch (SystemdException e) {
            units.failed(e);
        }
        boolean readAll = units.mustReadAll();
        Map<IocName, InstalledConf> confsNow = installed;
        Map<UnitName, UnitSummary> listedNow = listed;
        Fleet.PollPlan plan = threads.onModel(() -> updates.plan(confsNow, listedNow, readAll));
        long tPlanned = System.nanoTime();

        Map<IocName, UnitState> states = null;
        long statesReadAt = System.nanoTime();
        if (listed != null) {
            try {
                states = units.states(plan.statesToRead(), UnitSource.Lane.POLL);
                units.answered(readAll);
            } catch (SystemdException e) {
                units.failed(e);
            }
        }
        Set<IocName> names = plan.names();
        if (states == null) {
            problems.add(units.problem());
            names = new TreeSet<>(names);
            names.addAll(plan.held()); // cannot tell what systemd holds: keep what we know
        }
        long tSystemd = System.nanoTime();
        Map<Path, ConsoleSurvey.Console> consoles = host.consoles(plan.socketPaths().values(), problems);
        long tConsoles = System.nanoTime();
        host.retain(plan.controlGroups().values());
        Map<IocName, CgroupUsage> usage = host.usage(plan.controlGroups(), false);
        long tUsage = System.nanoTime();
        Map<IocName, IocEndpoints> endpoints = host.endpoints(plan.controlGroups(), plan.mainPids(), problems);
        long tEndpoints = System.nanoTime();
        Readings readings = new Readings(names, true, installed, states, statesReadAt, consoles, usage,
                plan.controlGroups().keySet(), problems, endpoints);
        threads.onModel(() -> {
            updates.polled(readings, t0);
            return null;
        });
        if (LOG.isDebugEnabled()) {
            LOG.debug("Poll of {} IOCs: confs and plan {} ms, systemd {} ms ({} states read), consoles {} ms,"
                    + " cgroups {} ms, endpoints {} ms, applied {} ms", names.size(), millis(t0, tPlanned),
                    millis(tPlanned, tSystemd), states == null ? 0 : states.size(), millis(tSystemd, tConsoles),
                    millis(tConsoles, tUsage), millis(tUsage, tEndpoints), millis(tEndpoints, System.nanoTime()));
        }
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }
}
