package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.netlink.NetlinkException;
import io.iocagent.netlink.UnixSocket;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.proc.ProcessInfo;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live model: keeps an immutable {@link Snapshot} of every IOC of one {@link Layout} — installed
 * confs and the units of its template — up to date from events, with a periodic poll for what sends
 * none.
 *
 * <p><b>What triggers what.</b>
 * <ul>
 *   <li>A systemd signal for a unit of the template ({@code PropertiesChanged}, {@code JobRemoved};
 *       {@link SystemdBus.UnitChanges#subscribe}): that unit's state is read again — one {@code states()}
 *       round trip for all units signalled within 10 ms — after draining
 *       its log, and a new snapshot is published.</li>
 *   <li>A change in {@code CONF_DIR} (a {@link java.nio.file.WatchService}; a missing directory is
 *       waited for): the changed confs are read again, with their units' states, so an installed
 *       IOC appears and a removed one disappears well within a second.</li>
 *   <li>A change in {@code LOG_DIR}: the IOC's procServ log is read on from where it was, so
 *       readiness follows the log within milliseconds. When a child started or died, the unit's state is
 *       read right after the log, before publishing, so that the death banner of a stop is never
 *       shown as a crash.</li>
 *   <li>Every poll interval (default 5 s): the conf directory is listed; one
 *       {@code ListUnitsByPatterns}; {@code states()} for the units whose listed state differs from
 *       what we hold, that we never read, or whose turn it is (every unit's full state is re-read
 *       once a minute, a slice per poll, which also picks up the unit file state that systemd sends
 *       no signal for); every log is read on; one {@code unix_diag} dump and at most one
 *       {@code /proc} scan for console sockets and clients; each active unit's CPU and memory from
 *       its cgroup ({@link CgroupUsage}). Re-reading every unit's state on every poll was measured at
 *       about one second per poll for 500 units (two {@code GetAll} of some 250 properties each per
 *       unit; 270 ms of our CPU), during which no event could be handled — hence the slices. With
 *       them a poll of 500 running IOCs took 100 to 260 ms.</li>
 * </ul>
 * Readiness is recomputed for every IOC whenever a snapshot is built (its time-based rules, see
 * {@link ChildTracker}, therefore take effect at the latest one poll late).
 *
 * <p><b>systemd unreachable.</b> The refresher starts and keeps running without systemd: the
 * connector is asked again on every poll until it returns a bus, after which {@link SystemdBus}
 * reconnects by itself. Meanwhile {@link Snapshot#systemdConnected()} is false, every IOC's
 * readiness is UNKNOWN, unit facts are the last ones read ({@code activeState} "unknown" if never),
 * and every poll counts as a refresh error. After systemd answers again, every unit is read anew.
 *
 * <p><b>Publishing.</b> A snapshot is built after every batch of changes; when it differs from the
 * current one (apart from {@code takenAt} and {@code refreshDuration}) it replaces it and the
 * listeners are called with (old, new) on the refresher's thread. A poll that changed nothing only
 * replaces the current snapshot, so {@code takenAt} tells readers how fresh it is.
 *
 * <p><b>Threads.</b> One scheduler thread owns every mutable fact; the D-Bus signal thread and the
 * directory watch thread only hand names over. {@link #current()} never blocks. {@link #start()},
 * {@link #close()} and {@link #addListener} may be called from any thread.
 */
public final class Refresher implements SnapshotSource, AutoCloseable {

    /** The default poll interval. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

    /** How long a change waits for others to join its batch (systemd sends several signals per transition). */
    static final long EVENT_DELAY_MILLIS = 10;

    /** Every unit's full state is re-read once per this many seconds, spread over the polls. */
    static final long RECONCILE_SECONDS = 60;

    private static final Logger LOG = LoggerFactory.getLogger(Refresher.class);

    private final Layout layout;
    private final Supplier<SystemdBus> connector;
    private final Duration pollInterval;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final List<BiConsumer<Snapshot, Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private final ChangeQueue<IocName> unitChanges;
    private final ChangeQueue<IocName> confChanges;
    private final ChangeQueue<IocName> logChanges;
    private volatile Snapshot current;

    // Owned by the scheduler thread (volatile where close() reads them after shutting it down).
    private final Map<IocName, TrackedIoc> iocs = new TreeMap<>();
    private final ConfDirectory confs;
    private final ProcessTable processes = new ProcessTable();
    private final UnixSocketDiag socketDiag = new UnixSocketDiag();
    private volatile SystemdBus bus;
    private volatile AutoCloseable unitSubscription;
    private boolean systemdConnected;
    private boolean rereadAllUnits = true;
    private IocName reconcileAfter;
    private long refreshErrors;
    private Duration refreshDuration = Duration.ZERO;
    private String lastSourceProblem = "";
    private String lastSystemdProblem;

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
        this.connector = Objects.requireNonNull(connector, "connector");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isZero() || pollInterval.isNegative()) {
            throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.confs = new ConfDirectory(layout);
        this.current = Snapshot.empty(layout.mode().label(), layout.confDir().toString());
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ioc-model-refresh");
            t.setDaemon(true);
            return t;
        });
        // close(): pending debounced work is dropped, the running task may finish.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = executor;
        this.unitChanges = new ChangeQueue<>(scheduler, EVENT_DELAY_MILLIS, guarded("unit change", this::unitsChanged));
        this.confChanges = new ChangeQueue<>(scheduler, EVENT_DELAY_MILLIS, guarded("conf change", this::confsChanged));
        this.logChanges = new ChangeQueue<>(scheduler, EVENT_DELAY_MILLIS, guarded("log change", this::logsChanged));
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
        scheduler.scheduleWithFixedDelay(this::pollGuarded, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Snapshot current() {
        return current;
    }

    @Override
    public void addListener(BiConsumer<Snapshot, Snapshot> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Polls now, on the scheduler thread, and returns once the listeners have seen the result:
     * for callers that just changed something (MBean operations) and want the model to show it.
     * Returns at once after {@link #close()}. Must not be called from a listener.
     */
    public void refreshNow() {
        if (scheduler.isShutdown()) {
            return;
        }
        try {
            scheduler.submit(this::pollGuarded).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("An immediate refresh did not complete: {}", e.toString());
        }
    }

    /** Stops the scheduler, the watch and the systemd connection. Idempotent. */
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
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(2, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
                if (!scheduler.awaitTermination(3, TimeUnit.SECONDS)) {
                    LOG.warn("The IOC model refresher did not stop within 5 s; closing its sources anyway.");
                }
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        DirectoryWatch w = watch;
        if (w != null) {
            w.close();
        }
        AutoCloseable subscription = unitSubscription;
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                LOG.debug("Closing the unit signal subscription failed", e);
            }
        }
        SystemdBus b = bus;
        if (b != null) {
            b.close();
        }
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

    // ---- the poll ---------------------------------------------------------------------------

    private void poll() {
        long t0 = System.nanoTime();
        List<String> problems = new ArrayList<>();
        DirectoryWatch w = watch;
        if (w != null) {
            w.rearm();
        }
        Map<IocName, InstalledConf> installed;
        try {
            installed = confs.scan();
            problems.addAll(confs.takeReadFailures());
        } catch (IOException e) {
            problems.add("cannot list " + layout.confDir() + ": " + e.getMessage());
            installed = new HashMap<>();
            for (TrackedIoc ioc : iocs.values()) {
                if (ioc.conf() != null) {
                    installed.put(ioc.name(), ioc.conf());
                }
            }
        }

        long tConfs = System.nanoTime();
        // Logs before states, always: a state read after the log is at least as new as what it said
        // (ChildTracker relies on that to tell a restart by systemd from a crash).
        Instant now = clock.instant();
        for (TrackedIoc ioc : iocs.values()) {
            ioc.conf(installed.get(ioc.name()));
            ioc.readLog(now);
        }

        long tLogs = System.nanoTime();
        Set<IocName> names = new TreeSet<>(installed.keySet());
        Map<IocName, UnitState> states = null;
        int read = 0;
        SystemdBus b = bus();
        if (b != null) {
            try {
                Map<UnitName, UnitSummary> listed = b.listUnits(layout.templatePrefix());
                listed.keySet().forEach(u -> names.add(u.name()));
                states = fetch(b, unitsToRead(names, listed));
                read = states.size();
                systemdAnswered(true);
            } catch (SystemdException e) {
                systemdFailed(e);
            }
        }
        if (states == null) {
            problems.add(systemdProblem());
            iocs.keySet().forEach(names::add); // cannot tell what systemd holds: keep what we know
            states = Map.of();
        }

        long tSystemd = System.nanoTime();
        now = clock.instant();
        for (IocName name : names) {
            InstalledConf conf = installed.get(name);
            UnitState state = states.get(name);
            TrackedIoc ioc = iocs.get(name);
            if (!TrackedIoc.belongs(conf, state != null ? state : ioc == null ? null : ioc.unit())) {
                iocs.remove(name);
                continue;
            }
            if (ioc == null) {
                ioc = track(name, conf, now);
            }
            if (state != null) {
                ioc.unit(state, now);
            }
        }
        iocs.keySet().retainAll(names);

        long tApplied = System.nanoTime();
        surveyConsoles(iocs.values()).ifPresent(problems::add);
        long tConsoles = System.nanoTime();
        readUsage(iocs.values());
        long tUsage = System.nanoTime();
        if (LOG.isDebugEnabled()) {
            LOG.debug("Poll of {} IOCs: confs {} ms, logs {} ms, systemd {} ms ({} states read), new IOCs {} ms,"
                    + " consoles {} ms, cgroups {} ms", iocs.size(), millis(t0, tConfs), millis(tConfs, tLogs),
                    millis(tLogs, tSystemd), read, millis(tSystemd, tApplied), millis(tApplied, tConsoles),
                    millis(tConsoles, tUsage));
        }

        if (!problems.isEmpty()) {
            refreshErrors++;
            String problem = String.join("; ", problems);
            if (!problem.equals(lastSourceProblem)) {
                LOG.warn("IOC model refresh incomplete: {}", problem);
            }
            lastSourceProblem = problem;
        } else {
            lastSourceProblem = "";
        }
        refreshDuration = Duration.ofNanos(System.nanoTime() - t0);
        publish(true);
    }

    /**
     * The units whose full state this poll reads: never read, listed differently from what we hold,
     * held as running but no longer listed (systemd unloaded them), or due for reconciliation. All
     * of them after systemd was unreachable.
     */
    private Set<IocName> unitsToRead(Set<IocName> names, Map<UnitName, UnitSummary> listed) {
        if (rereadAllUnits) {
            return names;
        }
        Map<IocName, UnitSummary> byName = new HashMap<>();
        listed.forEach((u, s) -> byName.put(u.name(), s));
        Set<IocName> read = new LinkedHashSet<>();
        for (IocName name : names) {
            TrackedIoc ioc = iocs.get(name);
            UnitState known = ioc == null ? null : ioc.unit();
            UnitSummary summary = byName.get(name);
            if (known == null
                    || summary == null && !known.activeState().equals("inactive")
                    || summary != null && (!summary.jobType().isEmpty()
                            || !summary.activeState().equals(known.activeState())
                            || !summary.subState().equals(known.subState())
                            || !summary.loadState().equals(known.loadState()))) {
                read.add(name);
            }
        }
        // Round robin over the sorted names: every unit once per RECONCILE_SECONDS.
        long polls = Math.max(1, TimeUnit.SECONDS.toMillis(RECONCILE_SECONDS) / pollInterval.toMillis());
        int slice = (int) Math.min(names.size(), (names.size() + polls - 1) / polls);
        List<IocName> ordered = new ArrayList<>(names);
        int from = 0;
        while (reconcileAfter != null && from < ordered.size() && ordered.get(from).compareTo(reconcileAfter) <= 0) {
            from++;
        }
        for (int i = 0; i < slice; i++) {
            IocName name = ordered.get((from + i) % ordered.size());
            read.add(name);
            reconcileAfter = name;
        }
        return read;
    }

    // ---- event-driven updates -----------------------------------------------------------------

    /** Units systemd signalled: read their logs, then their states; publish. */
    private void unitsChanged(Set<IocName> names, boolean everything) {
        SystemdBus b = bus;
        if (b == null) {
            return;
        }
        Instant now = clock.instant();
        List<TrackedIoc> switched = new ArrayList<>();
        for (IocName name : names) {
            TrackedIoc ioc = iocs.get(name);
            if (ioc != null && ioc.readLog(now)) {
                switched.add(ioc);
            }
        }
        Map<IocName, UnitState> states;
        try {
            states = fetch(b, names);
            systemdAnswered(false);
        } catch (SystemdException e) {
            systemdFailed(e);
            publish(false);
            return;
        }
        now = clock.instant();
        for (Map.Entry<IocName, UnitState> e : states.entrySet()) {
            TrackedIoc ioc = iocs.get(e.getKey());
            InstalledConf conf = confs.get(e.getKey()).orElse(null);
            if (!TrackedIoc.belongs(conf, e.getValue())) {
                iocs.remove(e.getKey());
                continue;
            }
            if (ioc == null) {
                ioc = track(e.getKey(), conf, now);
            }
            boolean wasActive = ioc.active();
            ioc.unit(e.getValue(), now);
            if (wasActive != ioc.active() && !switched.contains(ioc)) {
                switched.add(ioc);
            }
        }
        if (!switched.isEmpty()) {
            surveyConsoles(switched);
            readUsage(switched);
        }
        publish(false);
    }

    /** Confs created, edited or removed: read them and their units' states; publish. */
    private void confsChanged(Set<IocName> names, boolean everything) {
        if (everything) {
            poll();
            return;
        }
        Instant now = clock.instant();
        Map<IocName, InstalledConf> changed = new HashMap<>();
        for (IocName name : names) {
            InstalledConf conf = confs.refresh(name).orElse(null);
            changed.put(name, conf);
            TrackedIoc ioc = iocs.get(name);
            if (ioc != null) {
                ioc.conf(conf);
                ioc.readLog(now);
            }
        }
        Map<IocName, UnitState> states = Map.of();
        SystemdBus b = bus();
        if (b != null) {
            try {
                states = fetch(b, names);
                systemdAnswered(false);
            } catch (SystemdException e) {
                systemdFailed(e);
            }
        }
        now = clock.instant();
        for (IocName name : names) {
            InstalledConf conf = changed.get(name);
            TrackedIoc ioc = iocs.get(name);
            UnitState state = states.containsKey(name) ? states.get(name) : ioc == null ? null : ioc.unit();
            if (!TrackedIoc.belongs(conf, state)) {
                iocs.remove(name);
                continue;
            }
            if (ioc == null) {
                ioc = track(name, conf, now);
            }
            if (states.containsKey(name)) {
                ioc.unit(state, now);
            }
        }
        publish(false);
    }

    /** Logs appended to: read them on (and the consoles of IOCs whose child changed); publish. */
    private void logsChanged(Set<IocName> names, boolean everything) {
        Instant now = clock.instant();
        Collection<TrackedIoc> touched = everything ? iocs.values() : names.stream()
                .map(iocs::get).filter(Objects::nonNull).toList();
        List<TrackedIoc> newChildren = new ArrayList<>();
        for (TrackedIoc ioc : touched) {
            if (ioc.readLog(now)) {
                newChildren.add(ioc); // procServ listens before it starts a child: look at the console now
            }
        }
        observeUnits(newChildren);
        surveyConsoles(newChildren);
        publish(false);
    }

    /**
     * Reads the states of the active ones among {@code iocs}, whose logs were just read. A death
     * banner is also what a stop makes procServ write, and systemd has marked the unit deactivating
     * before procServ got its SIGTERM: asking now, after the log, tells a stop from a crash before
     * anything is published (without it, plain stops showed CRASH_LOOP for some 10 to 60 ms).
     */
    private void observeUnits(Collection<TrackedIoc> iocs) {
        SystemdBus b = bus;
        List<IocName> active = iocs.stream().filter(TrackedIoc::active).map(TrackedIoc::name).toList();
        if (b == null || active.isEmpty()) {
            return;
        }
        try {
            Map<IocName, UnitState> states = fetch(b, active);
            systemdAnswered(false);
            Instant now = clock.instant();
            states.forEach((name, state) -> {
                TrackedIoc ioc = this.iocs.get(name);
                if (ioc != null) {
                    ioc.unit(state, now);
                }
            });
        } catch (SystemdException e) {
            systemdFailed(e);
        }
    }

    /** Starts tracking an IOC: reads its whole log once to learn its current child. */
    private TrackedIoc track(IocName name, InstalledConf conf, Instant now) {
        TrackedIoc ioc = new TrackedIoc(name, layout, this::parentOf);
        ioc.conf(conf);
        ioc.readLog(now);
        iocs.put(name, ioc);
        return ioc;
    }

    // ---- sources ----------------------------------------------------------------------------

    /** The systemd client, connecting first if there is none yet; null when systemd cannot be reached. */
    private SystemdBus bus() {
        if (bus != null) {
            return bus;
        }
        SystemdBus b;
        try {
            b = connector.get();
        } catch (SystemdException e) {
            systemdFailed(e);
            return null;
        }
        try {
            unitSubscription = b.unitChanges().subscribe(layout.templatePrefix(), unit -> unitChanges.add(unit.name()));
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        bus = b;
        return b;
    }

    private Map<IocName, UnitState> fetch(SystemdBus b, Collection<IocName> names) {
        List<UnitName> units = names.stream().map(n -> new UnitName(layout.templatePrefix(), n)).toList();
        Map<IocName, UnitState> states = new HashMap<>();
        if (!units.isEmpty()) {
            b.states(units).forEach((u, s) -> states.put(u.name(), s));
        }
        return states;
    }

    /**
     * A call to systemd succeeded. After an outage every unit is read anew: by this poll if
     * {@code inPoll} (it read them all), else by a poll scheduled now.
     */
    private void systemdAnswered(boolean inPoll) {
        if (!systemdConnected && lastSystemdProblem != null) {
            LOG.info("systemd answers again at {}; re-reading every unit.", bus.address());
        }
        if (inPoll) {
            rereadAllUnits = false;
        } else if (!systemdConnected && rereadAllUnits) {
            scheduler.execute(this::pollGuarded);
        }
        systemdConnected = true;
    }

    private void systemdFailed(SystemdException e) {
        if (systemdConnected || lastSystemdProblem == null) {
            LOG.warn("Cannot reach systemd: {} The IOC model keeps running; readiness is UNKNOWN until it answers.",
                    e.getMessage());
        }
        lastSystemdProblem = e.getMessage();
        systemdConnected = false;
        rereadAllUnits = true;
    }

    private String systemdProblem() {
        return "systemd unreachable (" + (lastSystemdProblem == null ? "not connected" : lastSystemdProblem) + ")";
    }

    private void pollGuarded() {
        try {
            poll();
        } catch (RuntimeException e) {
            refreshErrors++;
            LOG.error("Refreshing the IOC model failed; trying again at the next poll", e);
        }
    }

    /**
     * Reads the console sockets of {@code targets} from one socket dump (and at most one /proc
     * scan); on failure keeps what they had.
     *
     * @return the problem, if any
     */
    private Optional<String> surveyConsoles(Collection<TrackedIoc> targets) {
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        try {
            List<UnixSocket> dump = socketDiag.dump();
            Map<Path, ConsoleSurvey.Console> consoles =
                    ConsoleSurvey.take(targets.stream().map(TrackedIoc::socketPath).toList(), dump, processes);
            for (TrackedIoc ioc : targets) {
                ioc.console(consoles.getOrDefault(ioc.socketPath(), ConsoleSurvey.Console.ABSENT));
            }
            return Optional.empty();
        } catch (NetlinkException e) {
            return Optional.of("cannot read the UNIX socket table: " + e.getMessage());
        } catch (IOException e) {
            return Optional.of("cannot scan /proc for console clients: " + e.getMessage());
        }
    }

    /** CPU and memory of the active ones among {@code targets}, from their cgroups. */
    private void readUsage(Collection<TrackedIoc> targets) {
        for (TrackedIoc ioc : targets) {
            ioc.usage(ioc.active() ? CgroupUsage.of(processes, ioc.unit().controlGroup()).orElse(null) : null);
        }
    }

    /** The parent of a live process, -1 when it is gone or unreadable. */
    private int parentOf(int pid) {
        try {
            return processes.process(pid).map(ProcessInfo::ppid).orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    // ---- publishing -------------------------------------------------------------------------

    private void publish(boolean poll) {
        Instant now = clock.instant();
        SortedMap<String, IocSnapshot> built = new TreeMap<>();
        for (TrackedIoc ioc : iocs.values()) {
            built.put(ioc.name().value(), ioc.snapshot(systemdConnected, now));
        }
        Snapshot old = current;
        Snapshot next = new Snapshot(now, old.mode(), old.confDirectory(), systemdConnected, built,
                refreshDuration, refreshErrors);
        boolean changed = old.systemdConnected() != next.systemdConnected()
                || old.refreshErrors() != next.refreshErrors()
                || !old.iocs().equals(next.iocs());
        if (changed || poll) {
            current = next;
        }
        if (changed) {
            for (BiConsumer<Snapshot, Snapshot> listener : listeners) {
                try {
                    listener.accept(old, next);
                } catch (RuntimeException e) {
                    LOG.warn("A snapshot listener failed", e);
                }
            }
        }
    }
}
