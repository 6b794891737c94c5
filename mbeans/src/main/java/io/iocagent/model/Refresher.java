package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.netlink.InetSocketDiag;
import io.iocagent.netlink.NetlinkException;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.proc.ProcessTable;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.SystemdException;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live model: keeps an immutable {@link Snapshot} of every IOC of one {@link Layout} — installed
 * confs and the units of its template — up to date from events, with a periodic poll for what sends
 * none. Every trigger reads its sources into {@link Readings} and hands them to the one update
 * path, {@link Fleet#apply}; a {@link SnapshotPublisher} then publishes.
 *
 * <p><b>Two threads.</b> The <em>model thread</em> owns the {@link Fleet} and handles events: a
 * systemd signal for a unit of the template (one {@code states()} round trip for all units
 * signalled within 10 ms, after draining their logs), a change in {@code CONF_DIR} (the changed
 * confs and their units' states), a change in {@code LOG_DIR} (the log read on, so readiness
 * follows within milliseconds). The <em>poll thread</em> does the slow reading: every poll
 * interval (default 5 s) it lists the conf directory and the units ({@code ListUnitsByPatterns}),
 * reads the full state of the units {@link ReconcileSchedule} picks, one {@code unix_diag} dump
 * (and at most one {@code /proc} scan) for the consoles and each active unit's cgroup
 * ({@link CgroupUsage}); only then does the model thread take a few milliseconds to fold the
 * readings in. A poll therefore never holds up a notification. Consoles and usage of IOCs whose
 * child or unit just started or stopped are read on the poll thread too, right after the event's
 * snapshot is out. Readiness is recomputed for every IOC whenever a snapshot is built (its
 * time-based rules, see {@link ChildTracker}, take effect at the latest one poll late).
 *
 * <p><b>systemd unreachable.</b> The refresher starts and keeps running without systemd (see
 * {@link UnitSource}), asking it again every {@link #RECONNECT_INTERVAL} and polling at its first
 * answer: meanwhile {@link Snapshot#systemdConnected()} is false, every IOC's
 * readiness is UNKNOWN, unit facts are the last ones read, and every poll counts as a refresh
 * error. After systemd answers again, every unit is read anew.
 *
 * <p>One concept, the model's scheduling: which thread reads what when, and in which order (logs
 * before the states they must not be older than); what is read and how it is folded in live in
 * the classes named above.
 *
 * <p><b>Threads for callers.</b> Listeners are called on the model thread. {@link #current()} never
 * blocks. {@link #start()}, {@link #close()} and {@link #addListener} may be called from any thread.
 */
public final class Refresher implements SnapshotSource, AutoCloseable {

    /** The default poll interval. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

    /** How long a change waits for others to join its batch (systemd sends several signals per transition). */
    static final long EVENT_DELAY_MILLIS = 10;

    /**
     * Where memory must be summed from {@code /proc} (no cgroup memory controller), a poll sums it
     * again for a running unit whose processes did not change only every this many polls.
     */
    static final int MEMORY_SUM_EVERY_POLLS = 6;

    /** While systemd is unreachable it is asked again this often, so a new manager is found within seconds. */
    static final Duration RECONNECT_INTERVAL = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(Refresher.class);

    private final Layout layout;
    private final Duration pollInterval;
    private final Clock clock;
    private final ScheduledExecutorService model;
    private final ScheduledExecutorService poller;
    private final ChangeQueue<IocName> unitChanges;
    private final ChangeQueue<IocName> confChanges;
    private final ChangeQueue<IocName> logChanges;
    private final UnitSource units;
    private final SnapshotPublisher publisher;
    private final CompletableFuture<Snapshot> firstPoll = new CompletableFuture<>();

    // Owned by the model thread.
    private final Fleet fleet;
    // Owned by the poll thread (ConfDirectory is also asked by conf events: it synchronises).
    private final ConfDirectory confs;
    private final ProcessTable processes = new ProcessTable();
    private final UnixSocketDiag socketDiag = new UnixSocketDiag();
    private final CgroupUsage.Reader usageReader = CgroupUsage.reader(processes, MEMORY_SUM_EVERY_POLLS);
    private final InetSocketDiag inetDiag = new InetSocketDiag();
    private final EndpointSurvey endpointSurvey = new EndpointSurvey(processes);

    private volatile DirectoryWatch watch;
    private boolean started; // guarded by this
    private boolean closed; // guarded by this

    /**
     * @param layout       whose confs, logs and template units to model
     * @param connector    opens the systemd connection; may throw {@link SystemdException} (asked
     *                     again at the next poll). The refresher owns and closes what it returns.
     * @param pollInterval how often to poll what sends no events; positive
     * @param clock        for snapshot times and the readiness rules' windows
     */
    public Refresher(Layout layout, Supplier<SystemdBus> connector, Duration pollInterval, Clock clock) {
        this.layout = Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(connector, "connector");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isZero() || pollInterval.isNegative()) {
            throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.confs = new ConfDirectory(layout);
        this.fleet = new Fleet(layout, new ReconcileSchedule(pollInterval));
        this.publisher = new SnapshotPublisher(Snapshot.empty(layout.mode().label(), layout.confDir().toString()));
        this.model = executor("ioc-model-events");
        this.poller = executor("ioc-model-poll");
        this.unitChanges = new ChangeQueue<>(model, EVENT_DELAY_MILLIS, guarded("unit change", this::unitsChanged));
        this.confChanges = new ChangeQueue<>(model, EVENT_DELAY_MILLIS, guarded("conf change", this::confsChanged));
        this.logChanges = new ChangeQueue<>(model, EVENT_DELAY_MILLIS, guarded("log change", this::logsChanged));
        this.units = new UnitSource(layout.templatePrefix(), connector, unitChanges::add);
    }

    private static ScheduledExecutorService executor(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        // close(): pending debounced work is dropped, the running task may finish.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /**
     * Starts watching and polling; the first poll runs at once. Returns without waiting for it.
     *
     * @throws IllegalStateException when already started or closed
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "This refresher is closed." : "This refresher is already running.");
        }
        started = true;
        try {
            watch = new DirectoryWatch(List.of(layout.confDir(), layout.logDir()), this::fileChanged);
        } catch (IOException e) {
            LOG.warn("Cannot watch {} and {} for changes ({}); installs, removals and log lines are noticed"
                    + " at the next poll (every {} s) only.", layout.confDir(), layout.logDir(), e.getMessage(),
                    pollInterval.toSeconds());
        }
        poller.scheduleWithFixedDelay(this::pollGuarded, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        poller.scheduleWithFixedDelay(this::reconnect, RECONNECT_INTERVAL.toMillis(), RECONNECT_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * While systemd is unreachable, asks it again ({@link UnitSource#ping}, which reconnects) and
     * polls at once when it answers: after the manager was replaced the model follows within a
     * second or two, not at the next poll. Does nothing while connected.
     */
    private void reconnect() {
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
        pollGuarded();
    }

    @Override
    public Snapshot current() {
        return publisher.current();
    }

    @Override
    public void addListener(BiConsumer<Snapshot, Snapshot> listener) {
        publisher.addListener(listener);
    }

    /**
     * Completes with the first snapshot built from a full poll (every conf, every unit, every log),
     * after the listeners have seen it: what the agent waits for before telling systemd it is ready.
     */
    public CompletableFuture<Snapshot> firstFullSnapshot() {
        return firstPoll.copy();
    }

    /**
     * Polls now and returns once the listeners have seen the result: for callers that just changed
     * something (MBean operations) and want the model to show it. Returns at once after
     * {@link #close()}. Must not be called from a listener.
     */
    public void refreshNow() {
        if (poller.isShutdown()) {
            return;
        }
        try {
            poller.submit(this::pollGuarded).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            LOG.warn("An immediate refresh did not complete: {}", e.toString());
        }
    }

    /**
     * Hands in what the hang probe found (any thread; returns at once). Folded in on the model
     * thread; a snapshot is published at once when whether an IOC answers changed (so HUNG and its
     * notification follow within milliseconds), otherwise the new round-trip times appear with the
     * next snapshot.
     */
    public void probed(Map<IocName, Responsiveness> found) {
        Map<IocName, Responsiveness> copy = Map.copyOf(found);
        onModelQuietly(() -> {
            if (fleet.probed(copy)) {
                publish(false);
            }
        });
    }

    /** Stops both threads, the watch and the systemd connection. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // Let a running refresh end by itself (it is short unless systemd hangs): interrupting it
        // mid-read would only log "systemd unreachable" and "cannot read the log" while shutting down.
        poller.shutdown();
        model.shutdown();
        try {
            if (!poller.awaitTermination(2, TimeUnit.SECONDS) | !model.awaitTermination(2, TimeUnit.SECONDS)) {
                poller.shutdownNow();
                model.shutdownNow();
                if (!poller.awaitTermination(3, TimeUnit.SECONDS) || !model.awaitTermination(1, TimeUnit.SECONDS)) {
                    LOG.warn("The IOC model refresher did not stop within 5 s; closing its sources anyway.");
                }
            }
        } catch (InterruptedException e) {
            poller.shutdownNow();
            model.shutdownNow();
            Thread.currentThread().interrupt();
        }
        DirectoryWatch w = watch;
        if (w != null) {
            w.close();
        }
        units.close();
    }

    // ---- hand-offs from other threads -------------------------------------------------------

    private void fileChanged(Path directory, Optional<Path> file) {
        boolean confDir = directory.equals(layout.confDir());
        ChangeQueue<IocName> queue = confDir ? confChanges : logChanges;
        String suffix = confDir ? ".conf" : ".log";
        if (file.isEmpty()) {
            queue.addEverything();
            return;
        }
        String fileName = file.get().toString();
        if (fileName.endsWith(suffix)) {
            String base = fileName.substring(0, fileName.length() - suffix.length());
            if (IocName.isValid(base)) {
                queue.add(new IocName(base));
            }
        }
    }

    private ChangeQueue.Drain<IocName> guarded(String what, ChangeQueue.Drain<IocName> drain) {
        return (changed, everything) -> {
            try {
                drain.accept(changed, everything);
            } catch (RuntimeException e) {
                LOG.error("Handling a {} of {} failed; the next poll catches up", what, changed, e);
            }
        };
    }

    // ---- events, on the model thread ----------------------------------------------------------

    /** Units systemd signalled: read their logs, then their states; publish. */
    private void unitsChanged(Set<IocName> names, boolean everything) {
        Set<IocName> follow = fleet.readLogs(names, clock.instant());
        Readings read = readStates(names, fleet.confs(names));
        if (read != null) {
            follow.addAll(fleet.apply(read, clock.instant()));
        }
        publish(false);
        readDetailsLater(follow);
    }

    /** Confs created, edited or removed: read them, their logs and their units' states; publish. */
    private void confsChanged(Set<IocName> names, boolean everything) {
        if (everything) {
            pollLater();
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
    private void logsChanged(Set<IocName> names, boolean everything) {
        Set<IocName> follow = fleet.readLogs(everything ? null : names, clock.instant());
        follow.addAll(observeUnits(follow));
        publish(false);
        readDetailsLater(follow);
    }

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
                pollLater();
            }
            return Readings.states(names, confsOfNames, states, readAt);
        } catch (SystemdException e) {
            units.failed(e);
            return null;
        }
    }

    private void publish(boolean poll) {
        Instant now = clock.instant();
        Snapshot published = publisher.publish(fleet.snapshots(units.connected(), now), units.connected(), now, poll);
        if (poll) {
            firstPoll.complete(published);
        }
    }

    // ---- the poll, on the poll thread --------------------------------------------------------

    private void poll() {
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
        Fleet.PollPlan plan = onModel(() -> fleet.plan(confsNow, listedNow, readAll));
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
        Map<Path, ConsoleSurvey.Console> consoles = surveyConsoles(plan.socketPaths().values(), problems);
        long tConsoles = System.nanoTime();
        usageReader.retain(plan.controlGroups().values());
        Map<IocName, CgroupUsage> usage = readUsage(plan.controlGroups(), false);
        long tUsage = System.nanoTime();
        Map<IocName, IocEndpoints> endpoints = surveyEndpoints(plan.controlGroups(), plan.mainPids(), problems);
        long tEndpoints = System.nanoTime();
        Readings readings = new Readings(names, true, installed, states, statesReadAt, consoles, usage,
                plan.controlGroups().keySet(), problems, endpoints);
        onModel(() -> {
            Set<IocName> follow = fleet.apply(readings, clock.instant());
            // The poll read the logs after its states: a child that started or died meanwhile
            // left those states stale (Fleet.apply dropped them), so ask for fresh ones now.
            follow.addAll(observeUnits(follow));
            publisher.refreshEnded(readings.problems(), Duration.ofNanos(System.nanoTime() - t0));
            publish(true);
            readDetailsLater(follow);
            return null;
        });
        if (LOG.isDebugEnabled()) {
            LOG.debug("Poll of {} IOCs: confs and plan {} ms, systemd {} ms ({} states read), consoles {} ms,"
                    + " cgroups {} ms, endpoints {} ms, applied {} ms", names.size(), millis(t0, tPlanned),
                    millis(tPlanned, tSystemd), states == null ? 0 : states.size(), millis(tSystemd, tConsoles),
                    millis(tConsoles, tUsage), millis(tUsage, tEndpoints), millis(tEndpoints, System.nanoTime()));
        }
    }

    private void pollGuarded() {
        try {
            poll();
        } catch (RuntimeException e) {
            if (poller.isShutdown()) {
                return; // closing: the model thread no longer takes work
            }
            onModelQuietly(publisher::refreshFailed);
            LOG.error("Refreshing the IOC model failed; trying again at the next poll", e);
        }
    }

    private void pollLater() {
        try {
            poller.execute(this::pollGuarded);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Reads the consoles and usage of {@code names} on the poll thread, then folds them in and
     * publishes on the model thread. Called on the model thread.
     */
    private void readDetailsLater(Set<IocName> names) {
        if (names.isEmpty()) {
            return;
        }
        Map<IocName, Path> sockets = fleet.socketPaths(names);
        Map<IocName, String> groups = fleet.controlGroups(names);
        Map<IocName, Integer> mainPids = fleet.mainPids(names);
        try {
            poller.execute(() -> {
                List<String> problems = new ArrayList<>();
                Map<Path, ConsoleSurvey.Console> consoles = surveyConsoles(sockets.values(), problems);
                Map<IocName, CgroupUsage> usage = readUsage(groups, true);
                Map<IocName, IocEndpoints> endpoints = surveyEndpoints(groups, mainPids, problems);
                Readings details = Readings.details(names, consoles, usage, problems, endpoints);
                onModelQuietly(() -> {
                    fleet.apply(details, clock.instant());
                    publish(false);
                });
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Runs {@code task} on the model thread and waits for it (called on the poll thread). */
    private <T> T onModel(Supplier<T> task) {
        try {
            return model.submit(task::get).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the model thread", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("The IOC model is closed.", e);
        }
    }

    private void onModelQuietly(Runnable task) {
        try {
            model.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Updating the IOC model failed; the next poll catches up", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * The consoles on {@code socketPaths} from one socket dump (and at most one /proc scan); null
     * when they cannot be read ({@code problems} says why; the IOCs keep what they had).
     */
    private Map<Path, ConsoleSurvey.Console> surveyConsoles(Collection<Path> socketPaths, List<String> problems) {
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

    /**
     * The CA/PVA endpoints of the active IOCs from one {@code inet_diag} dump, the descriptors of
     * each IOC's processes and at most one /proc scan for new local clients; null when the socket
     * table cannot be read ({@code problems} says why; the IOCs keep what they had).
     */
    private Map<IocName, IocEndpoints> surveyEndpoints(Map<IocName, String> controlGroups, Map<IocName, Integer> mainPids,
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
     * CPU and memory of each cgroup; IOCs whose cgroup cannot be read are missing. On the poll
     * thread only (the reader is its own).
     *
     * @param fresh sum process memory anew (units that just started or stopped); else see {@link #MEMORY_SUM_EVERY_POLLS}
     */
    private Map<IocName, CgroupUsage> readUsage(Map<IocName, String> controlGroups, boolean fresh) {
        Map<IocName, CgroupUsage> usage = new HashMap<>();
        controlGroups.forEach((name, group) -> usageReader.read(group, fresh).ifPresent(u -> usage.put(name, u)));
        return usage;
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }
}
