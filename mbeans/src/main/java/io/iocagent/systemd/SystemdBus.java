package io.iocagent.systemd;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Client for the systemd manager over D-Bus: lists, inspects, starts, stops, restarts, enables and
 * disables IOC units. The only way this project talks to systemd, and the only public face of
 * this client: one concept, the API (its contract, the {@link UnitName} gate, the errors), whose
 * methods hand the work to the parts behind it, each one concept too:
 * <ul>
 * <li>{@link ManagerLink} — the call connection: opened on first use, reopened after loss, a call
 *     retried once when safe ({@link ConnectionOpener} bounds every connect by the call timeout);</li>
 * <li>{@link UnitStateReader} — unit states read in batches of pipelined calls;</li>
 * <li>{@link UnitJobs} — a start, stop or restart job queued and awaited through {@code JobRemoved};</li>
 * <li>{@link UnitFiles} — unit files enabled, disabled, linked and their state read, and the
 *     manager reloaded;</li>
 * <li>{@link UnitSignals} and {@link SignalFeed} — the listeners of {@link #unitChanges()} and the
 *     receive-only connection that feeds them.</li>
 * </ul>
 *
 * <p><b>Gate.</b> Unit operations take a {@link UnitName}, never a string, so only instances of the
 * configured template with a valid IOC name can be touched.
 *
 * <p><b>Connection.</b> One long-lived, unshared dbus-java connection that registers the
 * {@code JobRemoved} handler and calls {@code Subscribe()} at connect, and is reopened after it is
 * lost; which calls are retried on the new one is {@link ManagerLink}'s rule (reads yes, writes
 * whose connection dropped after sending no: they fail with
 * {@link SystemdException.Reason#BUS_UNREACHABLE}). A manager that leaves a bus whose daemon lives
 * on (killed, then replaced by a new manager on a new bus daemon at the same path) ends the session
 * too: calls go to the manager's unique name, so they fail at once with {@code ServiceUnknown} and
 * are retried on a new connection, which reaches the new bus.
 *
 * <p><b>Timeouts.</b> Every call waits at most the call timeout for its reply (see {@link BusSession}
 * for how), and opening a connection is bounded by it too. Waiting for a job to finish is bounded
 * by the job timeout passed to {@link #start} and friends.
 *
 * <p><b>Threads.</b> Thread-safe: all methods may be called from any number of threads; calls share
 * the connection and are not serialised. Opening a connection is serialised. dbus-java delivers
 * signals on its single signal thread; the work done there is a map lookup.
 *
 * <p><b>Unit signals.</b> {@link UnitChanges#subscribe} listeners hear about state changes of a
 * template's units from a second, receive-only connection, kept open by every later call and
 * reopened when found dead ({@link UnitSignals}); signals sent while it was down are lost, so
 * callers poll to cover that gap.
 *
 * <p><b>Errors.</b> Every method throws {@link SystemdException} (unchecked), with a message that
 * names the operation, the unit and what to try; {@code IllegalArgumentException} for invalid
 * arguments and {@code IllegalStateException} after {@link #close()}.
 */
public final class SystemdBus implements AutoCloseable {

    /** Same as sd-bus's default method call timeout (25 s), which {@code systemctl} uses. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(25);

    private static final Method LIST_UNITS_BY_PATTERNS =
            BusSession.method(Systemd1Manager.class, "ListUnitsByPatterns", List.class, List.class);
    private static final Method START_UNIT =
            BusSession.method(Systemd1Manager.class, "StartUnit", String.class, String.class);
    private static final Method STOP_UNIT =
            BusSession.method(Systemd1Manager.class, "StopUnit", String.class, String.class);
    private static final Method RESTART_UNIT =
            BusSession.method(Systemd1Manager.class, "RestartUnit", String.class, String.class);
    private static final Method PING = BusSession.method(org.freedesktop.dbus.interfaces.Peer.class, "Ping");

    private final String address;
    private final Duration callTimeout;
    private final ConnectionOpener opener;
    private final UnitSignals signals;
    private final ManagerLink link;
    private final UnitStateReader stateReader;
    private final UnitJobs jobs;
    private final UnitFiles unitFiles;
    private final UnitChanges unitChanges = new UnitChanges();

    private SystemdBus(String address, Duration callTimeout) {
        this.address = Objects.requireNonNull(address, "address");
        this.callTimeout = requirePositive(callTimeout, "callTimeout");
        ManagerEndpoint endpoint = ManagerEndpoint.of(address, callTimeout);
        this.opener = new ConnectionOpener(callTimeout);
        this.signals = new UnitSignals(address, opener);
        this.link = new ManagerLink(address, callTimeout, endpoint, opener, signals::maintain);
        this.stateReader = new UnitStateReader(link, callTimeout);
        this.jobs = new UnitJobs(link, endpoint, address);
        this.unitFiles = new UnitFiles(link, endpoint);
    }

    /**
     * Connects to the systemd manager on the bus at {@code address}, subscribing to its signals.
     *
     * @param address     a D-Bus address such as {@code unix:path=/run/user/1000/bus}. Addresses that
     *                    do not contain {@code system_bus_socket} are taken to be a user manager's
     *                    bus, which only changes the hints in error messages ({@code systemctl --user}).
     * @param callTimeout how long to wait for any single reply, and for connecting
     * @throws SystemdException {@code BUS_UNREACHABLE} if the bus or systemd cannot be reached
     */
    public static SystemdBus connect(String address, Duration callTimeout) {
        SystemdBus bus = new SystemdBus(address, callTimeout);
        try {
            bus.link.session(Action.read("connect", ""));
            return bus;
        } catch (RuntimeException e) {
            bus.close();
            throw e;
        }
    }

    /** The address this client connects to. */
    public String address() {
        return address;
    }

    /** The per-call reply timeout. */
    public Duration callTimeout() {
        return callTimeout;
    }

    /**
     * The loaded instances of {@code templatePrefix}'s template, from one {@code ListUnitsByPatterns}
     * call with pattern {@code <prefix>*.service}. Only units systemd holds in memory are listed
     * (running, failed, or recently referenced, including inactive ones); names that are not valid
     * {@link UnitName}s are dropped.
     *
     * @return sorted by unit name, unmodifiable
     * @throws IllegalArgumentException if {@code templatePrefix} is not a valid prefix
     */
    public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
        String pattern = UnitName.instancePattern(templatePrefix);
        List<?> listed = link.invoke(Action.read("list the units matching", pattern), true,
                s -> (List<?>) s.call(BusSession.MANAGER_PATH, LIST_UNITS_BY_PATTERNS, List.of(), List.of(pattern)));
        Map<UnitName, UnitSummary> units = new TreeMap<>();
        for (Object entry : listed) {
            UnitStatus wire = (UnitStatus) entry;
            UnitName.parse(templatePrefix, wire.name).ifPresent(u -> units.put(u, UnitSummary.of(u, wire)));
        }
        return Collections.unmodifiableMap(units);
    }

    /** The state of one unit; see {@link #states}. */
    public UnitState state(UnitName unit) {
        return states(List.of(Objects.requireNonNull(unit, "unit"))).get(unit);
    }

    /**
     * The states of many units, fetched concurrently: the {@code LoadUnit} and {@code GetAll} calls
     * for up to 20 units are in flight at the same time, so the cost is a few round trips, not three
     * per unit. Units that do not exist are reported with {@code loadState} {@code not-found}.
     * ({@code LoadUnit} makes systemd load the unit; unreferenced inactive units are unloaded again by
     * systemd's garbage collection.)
     *
     * @return one entry per distinct unit, in the order given, unmodifiable
     */
    public Map<UnitName, UnitState> states(Collection<UnitName> units) {
        return stateReader.states(units);
    }

    /**
     * Starts {@code unit} (job mode {@code replace}) and waits for the job to finish.
     *
     * @param jobTimeout how long to wait for the job after systemd accepted it
     * @return the job's result; {@code failed}, {@code dependency} etc. are results, not exceptions
     * @throws SystemdException e.g. {@code PERMISSION_DENIED}, {@code NO_SUCH_UNIT}, or
     *                          {@code JOB_TIMEOUT} (the job is left running)
     */
    public JobResult start(UnitName unit, Duration jobTimeout) {
        return jobs.run("start", START_UNIT, unit, jobTimeout);
    }

    /** Stops {@code unit} and waits for the job; see {@link #start}. */
    public JobResult stop(UnitName unit, Duration jobTimeout) {
        return jobs.run("stop", STOP_UNIT, unit, jobTimeout);
    }

    /** Restarts {@code unit} (starts it if stopped) and waits for the job; see {@link #start}. */
    public JobResult restart(UnitName unit, Duration jobTimeout) {
        return jobs.run("restart", RESTART_UNIT, unit, jobTimeout);
    }

    /**
     * Enables {@code unit} persistently ({@code runtime=false}), then reloads the manager if anything
     * changed, like {@code systemctl enable}.
     *
     * @return the symlinks created, for {@code Created symlink …} lines; empty if already enabled
     * @throws SystemdException {@code FAILED} if the unit file has no {@code [Install]} section
     */
    public List<UnitFileChange> enable(UnitName unit) {
        return unitFiles.enable(unit);
    }

    /**
     * Disables {@code unit} ({@code runtime=false}), then reloads the manager if anything changed,
     * like {@code systemctl disable}. Does not stop it.
     *
     * @return the symlinks removed, for {@code Removed …} lines; empty if it was not enabled
     */
    public List<UnitFileChange> disable(UnitName unit) {
        return unitFiles.disable(unit);
    }

    /**
     * Links a template unit file from outside the unit search path into it, like
     * {@code systemctl link [--runtime]}, then reloads if anything changed.
     *
     * @param file    absolute path of a template file named {@code <valid prefix>.service}
     * @param runtime true to link under {@code /run} (gone after reboot)
     * @throws IllegalArgumentException if {@code file} is relative or not named like a template
     */
    public List<UnitFileChange> linkUnitFile(Path file, boolean runtime) {
        return unitFiles.link(file, runtime);
    }

    /**
     * Asks the manager for nothing ({@code org.freedesktop.DBus.Peer.Ping}), connecting first if
     * needed: the cheapest proof that systemd answers.
     *
     * @throws SystemdException {@code BUS_UNREACHABLE} when it does not
     */
    public void ping() {
        link.invoke(Action.read("reach", "the manager"), true, s -> s.call(BusSession.MANAGER_PATH, PING));
    }

    /**
     * Reopens the signal connection behind {@link UnitChanges#subscribe} if it died, asking systemd
     * nothing while it lives (a local check): for callers that read over another connection (the
     * model's lean reads) and so no longer make the calls that would notice. Never throws; a failed
     * reopen is tried again at a later call, as after any call.
     */
    public void keepSignalsFlowing() {
        signals.maintain();
    }

    /** Reloads the manager's configuration, like {@code systemctl daemon-reload}; returns when done. */
    public void reload() {
        unitFiles.reload();
    }

    /** The directories the manager loads unit files from, in priority order (property {@code UnitPath}). */
    public List<Path> unitSearchPath() {
        return unitFiles.searchPath();
    }

    /**
     * The enablement state of {@code unit}'s file, as {@code systemctl is-enabled} prints it:
     * {@code enabled}, {@code disabled}, {@code linked}, {@code static}, {@code masked}, …, and
     * {@code not-found} if there is no unit file.
     */
    public String unitFileState(UnitName unit) {
        return unitFiles.state(unit);
    }

    /**
     * Notifications of changes to units; see {@link UnitChanges#subscribe}. A facet rather than a
     * method of its own because every public method of this class that names units takes
     * {@link UnitName}s only (the gate), and a subscription names a template and a callback.
     */
    public UnitChanges unitChanges() {
        return unitChanges;
    }

    /** Subscriptions to unit changes of one {@link SystemdBus}; see {@link #subscribe}. Thread-safe. */
    public final class UnitChanges {

        private UnitChanges() {
        }

        /**
         * Calls {@code listener} with the unit whenever systemd reports that an instance of
         * {@code templatePrefix}'s template changed: a {@code PropertiesChanged} signal on the unit's
         * object path (state, PIDs, counters, …) or a {@code JobRemoved} for it. One change usually
         * comes as several signals, so expect repeats. Only instances with a valid IOC name are
         * reported.
         *
         * <p>The listener runs on dbus-java's single signal thread: it must return at once (hand the
         * unit to another thread). Exceptions it throws are logged and otherwise ignored.
         *
         * <p>The signal connection is opened now if possible (bounded by the call timeout); if that
         * fails it is retried by later calls, see the class comment of {@link SystemdBus}. Subscribing
         * never fails for bus reasons.
         *
         * @return closing it stops the calls to {@code listener}; the signal connection stays open
         * @throws IllegalArgumentException if {@code templatePrefix} is not a valid prefix
         * @throws IllegalStateException    after {@link SystemdBus#close()}
         */
        public AutoCloseable subscribe(String templatePrefix, Consumer<UnitName> listener) {
            UnitName.requireValidPrefix(templatePrefix);
            Objects.requireNonNull(listener, "listener");
            AutoCloseable[] subscription = new AutoCloseable[1];
            link.whileOpen(() -> subscription[0] = signals.add(templatePrefix, listener));
            return subscription[0];
        }
    }

    /** Whether this client was closed (its calls throw {@link IllegalStateException}); a lost connection is not closed. */
    public boolean isClosed() {
        return link.isClosed();
    }

    /** Closes the connection; later calls throw {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        link.close();
        signals.close();
        opener.close();
    }

    @Override
    public String toString() {
        return "SystemdBus[" + address + "]";
    }

    /** How many connections this client has opened (each one subscribed anew); for tests. */
    int sessionsOpened() {
        return link.sessionsOpened();
    }

    static Duration requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }
}
