package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.SystemdException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * <p><b>One concept: the model's triggers and its wiring.</b> This class decides what starts a
 * refresh and on which of the two {@link ModelThreads} it runs: a systemd signal for a unit of the
 * template, a change in {@code CONF_DIR} or in {@code LOG_DIR} (each batched for
 * {@link #EVENT_DELAY_MILLIS} by a {@link ChangeQueue}, then handled by {@link ModelUpdates} on the
 * model thread), the {@link Poll} every poll interval (default 5 s) on the poll thread, the hang
 * probe's findings. What is read lives in {@link UnitSource}, {@link ConfDirectory},
 * {@link HostSurvey}; how it is folded in, in {@link Fleet}. Readiness is recomputed for every IOC
 * whenever a snapshot is built (its time-based rules, see {@link ChildTracker}, take effect at the
 * latest one poll late).
 *
 * <p><b>systemd unreachable.</b> The refresher starts and keeps running without systemd (see
 * {@link UnitSource}), asking it again every {@link #RECONNECT_INTERVAL} and polling at its first
 * answer: meanwhile {@link Snapshot#systemdConnected()} is false, every IOC's
 * readiness is UNKNOWN, unit facts are the last ones read, and every poll counts as a refresh
 * error. After systemd answers again, every unit is read anew.
 *
 * <p><b>Threads for callers.</b> Listeners are called on the model thread. {@link #current()} never
 * blocks. {@link #start()}, {@link #close()} and {@link #addListener} may be called from any thread.
 */
public final class Refresher implements SnapshotSource, AutoCloseable {

    /** The default poll interval. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

    /** How long a change waits for others to join its batch (systemd sends several signals per transition). */
    static final long EVENT_DELAY_MILLIS = 10;

    /** While systemd is unreachable it is asked again this often, so a new manager is found within seconds. */
    static final Duration RECONNECT_INTERVAL = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(Refresher.class);

    private final Layout layout;
    private final Duration pollInterval;
    private final ModelThreads threads = new ModelThreads();
    private final ChangeQueue<IocName> unitChanges;
    private final ChangeQueue<IocName> confChanges;
    private final ChangeQueue<IocName> logChanges;
    private final UnitSource units;
    private final ModelUpdates updates;
    private final Poll poll;

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
        this(layout, pollInterval, clock, feed(connector));
    }

    private static Supplier<UnitFeed> feed(Supplier<SystemdBus> connector) {
        Objects.requireNonNull(connector, "connector");
        return () -> UnitFeed.over(connector.get());
    }

    /** As the public constructor, with systemd as a {@link UnitFeed} (unit tests answer it with a table). */
    Refresher(Layout layout, Duration pollInterval, Clock clock, Supplier<UnitFeed> connector) {
        this.layout = Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(connector, "connector");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isZero() || pollInterval.isNegative()) {
            throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
        }
        Objects.requireNonNull(clock, "clock");
        ConfDirectory confs = new ConfDirectory(layout);
        HostSurvey host = new HostSurvey();
        this.unitChanges = new ChangeQueue<>(threads.model(), EVENT_DELAY_MILLIS, guarded("unit change", this::unitsChanged));
        this.units = new UnitSource(layout.templatePrefix(), connector, unitChanges::add);
        this.updates = new ModelUpdates(clock, new Fleet(layout, new ReconcileSchedule(pollInterval)), confs, units, host,
                threads, this::pollSoon, Snapshot.empty(layout.mode().label(), layout.confDir().toString()));
        this.poll = new Poll(layout, confs, units, host, threads, updates);
        this.confChanges = new ChangeQueue<>(threads.model(), EVENT_DELAY_MILLIS, guarded("conf change", updates::confsChanged));
        this.logChanges = new ChangeQueue<>(threads.model(), EVENT_DELAY_MILLIS, guarded("log change", updates::logsChanged));
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
            poll.watch(watch);
        } catch (IOException e) {
            LOG.warn("Cannot watch {} and {} for changes ({}); installs, removals and log lines are noticed"
                    + " at the next poll (every {} s) only.", layout.confDir(), layout.logDir(), e.getMessage(),
                    pollInterval.toSeconds());
        }
        threads.onPollEvery(Duration.ZERO, pollInterval, poll::runGuarded);
        threads.onPollEvery(RECONNECT_INTERVAL, RECONNECT_INTERVAL, poll::reconnect);
    }

    @Override
    public Snapshot current() {
        return updates.current();
    }

    @Override
    public void addListener(BiConsumer<Snapshot, Snapshot> listener) {
        updates.addListener(listener);
    }

    /**
     * Completes with the first snapshot built from a full poll (every conf, every unit, every log),
     * after the listeners have seen it: what the agent waits for before telling systemd it is ready.
     */
    public CompletableFuture<Snapshot> firstFullSnapshot() {
        return updates.firstFullSnapshot();
    }

    /**
     * Polls now and returns once the listeners have seen the result: for callers that just changed
     * something (MBean operations) and want the model to show it. Returns at once after
     * {@link #close()}. Must not be called from a listener.
     */
    public void refreshNow() {
        threads.onPollAndWait(poll::runGuarded);
    }

    /**
     * Hands in what the hang probe found (any thread; returns at once). Folded in on the model
     * thread; a snapshot is published at once when whether an IOC answers changed (so HUNG and its
     * notification follow within milliseconds), otherwise the new round-trip times appear with the
     * next snapshot.
     */
    public void probed(Map<IocName, Responsiveness> found) {
        Map<IocName, Responsiveness> copy = Map.copyOf(found);
        threads.onModelLater(() -> updates.probed(copy));
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
        threads.close();
        DirectoryWatch w = watch;
        if (w != null) {
            w.close();
        }
        units.close();
    }

    // ---- triggers from other threads --------------------------------------------------------

    private void pollSoon() {
        poll.soon();
    }

    /** The unit-signal queue's drain: {@link #units} needs the queue, and {@link #updates} needs {@link #units}. */
    private void unitsChanged(Set<IocName> names, boolean everything) {
        updates.unitsChanged(names, everything);
    }

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
}
