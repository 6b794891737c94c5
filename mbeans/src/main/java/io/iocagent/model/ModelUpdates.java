package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.systemd.SystemdException;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the model thread does: the one writer of the {@link Fleet}. It handles each batch of
 * events — a systemd signal (the units' logs drained, then one {@code states()} round trip), a
 * change in {@code CONF_DIR} (the changed confs and their units' states), a change in
 * {@code LOG_DIR} (the logs read on) — folds in what a poll and the hang probe read, and publishes
 * a snapshot after each. Consoles and usage of IOCs whose child or unit just started or stopped are
 * then read on the poll thread ({@link HostSurvey#details}) and folded in here too.
 *
 * <p>Every method runs on the model thread, except {@link #current()}, {@link #addListener} and
 * {@link #firstFullSnapshot()}, which any thread may call.
 */
final class ModelUpdates {

    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdates.class);

    private final Clock clock;
    private final Fleet fleet;
    private final ConfDirectory confs;
    private final UnitSource units;
    private final HostSurvey host;
    private final ModelThreads threads;
    private final Runnable pollSoon;
    private final SnapshotPublisher publisher;
    private final CompletableFuture<Snapshot> firstPoll = new CompletableFuture<>();

    /**
     * @param pollSoon asks for a poll on the poll thread (after systemd answered again, or when a
     *                 directory watch lost track of what changed); returns at once
     */
    ModelUpdates(Clock clock, Fleet fleet, ConfDirectory confs, UnitSource units, HostSurvey host,
                 ModelThreads threads, Runnable pollSoon, Snapshot empty) {
        this.clock = clock;
        this.fleet = fleet;
        this.confs = confs;
        this.units = units;
        this.host = host;
        this.threads = threads;
        this.pollSoon = pollSoon;
        this.publisher = new SnapshotPublisher(empty);
    }

    Snapshot current() {
        return publisher.current();
    }

    void addListener(BiConsumer<Snapshot, Snapshot> listener) {
        publisher.addListener(listener);
    }

    /** Completes with the first snapshot a full poll published, after the listeners have seen it. */
    CompletableFuture<Snapshot> firstFullSnapshot() {
        return firstPoll.copy();
    }

    // ---- events ------------------------------------------------------------------------------

    /** Units systemd signalled: read their logs, then their states; publish. */
    void unitsChanged(Set<IocName> names, boolean everything) {
        long t0 = System.nanoTime();
        Set<IocName> follow = fleet.readLogs(names, clock.instant());
        long tLogs = System.nanoTime();
        Readings read = readStates(names, fleet.confs(names));
        long tStates = System.nanoTime();
        if (read != null) {
            follow.addAll(fleet.apply(read, clock.instant()));
        }
        long tApplied = System.nanoTime();
        publish(false);
        if (LOG.isDebugEnabled()) {
            LOG.debug("Unit signals of {} IOCs: logs {} ms, states {} ms, applied {} ms, published {} ms", names.size(),
                    micros(t0, tLogs), micros(tLogs, tStates), micros(tStates, tApplied),
                    micros(tApplied, System.nanoTime()));
        }
        readDetailsLater(follow);
    }

    /** Milliseconds between two {@link System#nanoTime()} readings, to the microsecond, for the debug log. */
    private static String micros(long fromNanos, long toNanos) {
        return String.format("%.3f", TimeUnit.NANOSECONDS.toMicros(toNanos - fromNanos) / 1000.0);
    }

    /** Confs created, edited or removed: read them, their logs and their units' states; publish. */
    void confsChanged(Set<IocName> names, boolean everything) {
        if (everything) {
            pollSoon.run();
            return;
        }
        Map<IocName, InstalledConf> changed = new HashMap<>();
        for (IocName name : names) {
            changed.put(name, confs.refresh(name).orElse(null));
        }
        Instant now = clock.instant();
        Set<IocName> follow = fleet.apply(new Readings(names, false, changed, null, 0, null, null, null, List.of()), now);
        follow.addAll(fleet.readLogs(names, now));
        Readings read = readStates(names, changed);
        if (read != null) {
            follow.addAll(fleet.apply(read, clock.instant()));
        }
        publish(false);
        readDetailsLater(follow);
    }

    /**
     * Logs appended to: read them on, and the states of the IOCs whose child started or died (see
     * {@link #observeUnits}); publish; then read the consoles of IOCs whose child came or went.
     */
    void logsChanged(Set<IocName> names, boolean everything) {
        Set<IocName> follow = fleet.readLogs(everything ? null : names, clock.instant());
        follow.addAll(observeUnits(follow));
        publish(false);
        readDetailsLater(follow);
    }

    /**
     * Folds in what the hang probe found; publishes at once when whether an IOC answers changed
     * (so HUNG and its notification follow within milliseconds), otherwise the new round-trip times
     * appear with the next snapshot.
     */
    void probed(Map<IocName, Responsiveness> found) {
        if (fleet.probed(found)) {
            publish(false);
        }
    }

    // ---- the poll's two steps on this thread -------------------------------------------------

    /** What a poll must read, given the confs and units it listed (either null when not read). */
    Fleet.PollPlan plan(Map<IocName, InstalledConf> installed, Map<UnitName, UnitSummary> listed, boolean readAll) {
        return fleet.plan(installed, listed, readAll);
    }

    /**
     * Folds in a poll's readings and publishes (completing the first full snapshot).
     *
     * @param startedNanos {@link System#nanoTime()} when the poll began: the refresh duration ends now
     */
    void polled(Readings readings, long startedNanos) {
        Set<IocName> follow = fleet.apply(readings, clock.instant());
        // The poll read the logs after its states: a child that started or died meanwhile
        // left those states stale (Fleet.apply dropped them), so ask for fresh ones now.
        follow.addAll(observeUnits(follow));
        publisher.refreshEnded(readings.problems(), Duration.ofNanos(System.nanoTime() - startedNanos));
        publish(true);
        readDetailsLater(follow);
    }

    /** A poll failed outright: one more refresh error. */
    void pollFailed() {
        publisher.refreshFailed();
    }

    // ---- shared steps ------------------------------------------------------------------------

    /**
     * Reads the states of the active ones among {@code childChanged}, whose logs were just read. A
     * death banner is also what a stop makes procServ write, and systemd has marked the unit
     * deactivating before procServ got its SIGTERM: asking now, after the log, tells a stop from a
     * crash before anything is published (without it, plain stops showed CRASH_LOOP for some 10 to
     * 60 ms).
     *
     * @return the IOCs whose unit became active or inactive
     */
    private Set<IocName> observeUnits(Set<IocName> childChanged) {
        Set<IocName> active = fleet.activeAmong(childChanged);
        if (active.isEmpty()) {
            return Set.of();
        }
        Readings read = readStates(active, fleet.confs(active));
        return read == null ? Set.of() : fleet.apply(read, clock.instant());
    }

    /** The states of {@code names} with their confs, or null when systemd failed (noted in {@link #units}). */
    private Readings readStates(Set<IocName> names, Map<IocName, InstalledConf> confsOfNames) {
        long readAt = System.nanoTime();
        try {
            Map<IocName, UnitState> states = units.states(names, UnitSource.Lane.EVENTS);
            if (units.answered(false)) {
                pollSoon.run();
            }
            return Readings.states(names, confsOfNames, states, readAt);
        } catch (SystemdException e) {
            units.failed(e);
            return null;
        }
    }

    private void publish(boolean poll) {
        long t0 = System.nanoTime();
        Instant now = clock.instant();
        var iocs = fleet.snapshots(units.connected(), now);
        long tBuilt = System.nanoTime();
        Snapshot published = publisher.publish(iocs, units.connected(), now, poll);
        if (LOG.isDebugEnabled()) {
            LOG.debug("Publishing {} IOCs: built {} ms, compared and listeners {} ms", iocs.size(), micros(t0, tBuilt),
                    micros(tBuilt, System.nanoTime()));
        }
        if (poll) {
            firstPoll.complete(published);
        }
    }

    /**
     * Reads the consoles, usage and endpoints of {@code names} on the poll thread, then folds them
     * in and publishes here.
     */
    private void readDetailsLater(Set<IocName> names) {
        if (names.isEmpty()) {
            return;
        }
        Map<IocName, Path> sockets = fleet.socketPaths(names);
        Map<IocName, String> groups = fleet.controlGroups(names);
        Map<IocName, Integer> mainPids = fleet.mainPids(names);
        threads.onPollLater(() -> {
            Readings details = host.details(names, sockets, groups, mainPids);
            threads.onModelLater(() -> {
                fleet.apply(details, clock.instant());
                publish(false);
            });
        });
    }
}
