package io.iocagent.systemd;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.IDisconnectCallback;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.matchrules.DBusMatchRule;
import org.freedesktop.dbus.matchrules.DBusMatchRuleBuilder;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client for the systemd manager over D-Bus: lists, inspects, starts, stops, restarts, enables and
 * disables IOC units. The only way this project talks to systemd.
 *
 * <p><b>Gate.</b> Unit operations take a {@link UnitName}, never a string, so only instances of the
 * configured template with a valid IOC name can be touched.
 *
 * <p><b>Connection.</b> One long-lived, unshared dbus-java connection (a shared one would be handed
 * to any other {@code build()} for the same address, with that caller's settings). At connect it
 * registers the {@code JobRemoved} handler and calls {@code Subscribe()}. When dbus-java reports a
 * disconnect, the connection is marked dead and the next call opens a new one (re-registering and
 * re-subscribing). A call that finds the connection already gone, before sending, is retried once on
 * a new connection; a read whose connection drops while it waits is retried once as well; a write
 * (start, enable, …) whose connection drops after sending is not, because systemd may have acted, and
 * fails with {@link SystemdException.Reason#BUS_UNREACHABLE}. A manager that leaves a bus whose
 * daemon lives on (killed, then replaced by a new manager on a new bus daemon at the same path) ends
 * the session too ({@code NameOwnerChanged}; calls go to the manager's unique name, so they fail at
 * once with {@code ServiceUnknown} and are retried on a new connection, which reaches the new bus).
 *
 * <p><b>Timeouts.</b> Every call waits at most the call timeout for its reply (see {@link BusSession}
 * for how), and opening a connection is bounded by it too. Waiting for a job to finish is bounded
 * by the job timeout passed to {@link #start} and friends.
 *
 * <p><b>Threads.</b> Thread-safe: all methods may be called from any number of threads; calls share
 * the connection and are not serialised. Opening a connection is serialised. dbus-java delivers
 * signals on its single signal thread; the work done there is a map lookup.
 *
 * <p><b>Unit signals.</b> {@link UnitChanges#subscribe} listeners hear about state changes of a template's
 * units. They are fed by a second, receive-only connection (its own {@code Subscribe()}, match rules
 * for {@code PropertiesChanged} under {@code /org/freedesktop/systemd1/unit} and for
 * {@code JobRemoved}), opened with the first listener and kept open by every later call: when it is
 * found dead, the next call reopens it (after a failed attempt, not again for 5 s),
 * so listeners survive reconnects without registering again. Signals sent while it was down are
 * lost; callers poll to cover that gap.
 *
 * <p><b>Errors.</b> Every method throws {@link SystemdException} (unchecked), with a message that
 * names the operation, the unit and what to try; {@code IllegalArgumentException} for invalid
 * arguments and {@code IllegalStateException} after {@link #close()}.
 */
public final class SystemdBus implements AutoCloseable {

    /** Same as sd-bus's default method call timeout (25 s), which {@code systemctl} uses. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(25);

    /** Default system bus address when {@code DBUS_SYSTEM_BUS_ADDRESS} is not set. */
    public static final String DEFAULT_SYSTEM_BUS_ADDRESS = ManagerAddress.DEFAULT_SYSTEM_BUS_ADDRESS;

    private static final Logger LOG = LoggerFactory.getLogger(SystemdBus.class);

    private static final String UNIT_INTERFACE = "org.freedesktop.systemd1.Unit";
    private static final String SERVICE_INTERFACE = "org.freedesktop.systemd1.Service";
    private static final String MANAGER_INTERFACE = "org.freedesktop.systemd1.Manager";
    private static final String MODE_REPLACE = "replace";

    /**
     * Units whose properties are requested at once: three calls each (LoadUnit, two GetAll), kept
     * well below dbus-daemon's default {@code max_replies_per_connection} of 128 on the system bus.
     */
    private static final int UNITS_PER_BATCH = 20;

    /** Connection attempts that may hang at the same time before we give up without trying. */
    private static final int MAX_CONNECT_THREADS = 4;

    /** Bound on the unit-name to object-path cache (paths never change, so it is only a size cap). */
    private static final int MAX_CACHED_PATHS = 4096;

    private static final Method LIST_UNITS_BY_PATTERNS =
            BusSession.method(Systemd1Manager.class, "ListUnitsByPatterns", List.class, List.class);
    private static final Method LOAD_UNIT = BusSession.method(Systemd1Manager.class, "LoadUnit", String.class);
    private static final Method START_UNIT =
            BusSession.method(Systemd1Manager.class, "StartUnit", String.class, String.class);
    private static final Method STOP_UNIT =
            BusSession.method(Systemd1Manager.class, "StopUnit", String.class, String.class);
    private static final Method RESTART_UNIT =
            BusSession.method(Systemd1Manager.class, "RestartUnit", String.class, String.class);
    private static final Method ENABLE_UNIT_FILES = BusSession.method(Systemd1Manager.class,
            "EnableUnitFiles", List.class, boolean.class, boolean.class);
    private static final Method DISABLE_UNIT_FILES =
            BusSession.method(Systemd1Manager.class, "DisableUnitFiles", List.class, boolean.class);
    private static final Method LINK_UNIT_FILES = BusSession.method(Systemd1Manager.class,
            "LinkUnitFiles", List.class, boolean.class, boolean.class);
    private static final Method GET_UNIT_FILE_STATE =
            BusSession.method(Systemd1Manager.class, "GetUnitFileState", String.class);
    private static final Method RELOAD = BusSession.method(Systemd1Manager.class, "Reload");
    private static final Method PING = BusSession.method(org.freedesktop.dbus.interfaces.Peer.class, "Ping");
    private static final Method GET_ALL = BusSession.method(Properties.class, "GetAll", String.class);
    private static final Method GET = BusSession.method(Properties.class, "Get", String.class, String.class);

    private final String address;
    private final Duration callTimeout;
    private final ManagerEndpoint endpoint;
    private final ThreadPoolExecutor connector;
    /**
     * Unit object paths from {@code LoadUnit}. A path stays valid even after systemd unloads the
     * unit: systemd loads units on demand when their object is accessed (observed with systemd 252).
     */
    private final Map<UnitName, String> unitPaths = new ConcurrentHashMap<>();

    private final Object sessionLock = new Object();
    private BusSession session; // guarded by sessionLock
    private boolean closed; // guarded by sessionLock
    private int sessionsOpened; // guarded by sessionLock

    /** Registered by {@link UnitChanges#subscribe}; read on the signal thread. */
    private final List<UnitWatch> unitWatches = new CopyOnWriteArrayList<>();
    private final UnitChanges unitChanges = new UnitChanges();
    private SignalFeed feed; // guarded by sessionLock
    private long nextFeedAttempt; // guarded by sessionLock; System.nanoTime() scale
    private int feedsOpened; // guarded by sessionLock

    private SystemdBus(String address, Duration callTimeout) {
        this.address = Objects.requireNonNull(address, "address");
        this.callTimeout = requirePositive(callTimeout, "callTimeout");
        this.endpoint = ManagerEndpoint.of(address, callTimeout);
        // Connecting runs here so it can be abandoned after the call timeout. A few threads, not one:
        // an attempt stuck inside dbus-java (a peer that accepts but never answers) must not block
        // the next one.
        this.connector = new ThreadPoolExecutor(0, MAX_CONNECT_THREADS, 10, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "systemd-bus-connect");
                    t.setDaemon(true);
                    return t;
                });
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
            bus.session(Action.read("connect", ""));
            return bus;
        } catch (RuntimeException e) {
            bus.close();
            throw e;
        }
    }

    /** Connects to PID 1's manager on the system bus ({@link #systemBusAddress()}). */
    public static SystemdBus system(Duration callTimeout) {
        return connect(systemBusAddress(), callTimeout);
    }

    /** Connects to the calling user's manager ({@link #userBusAddress()}). */
    public static SystemdBus user(Duration callTimeout) {
        return connect(userBusAddress(), callTimeout);
    }

    /** The system bus of this process's environment ({@link ManagerAddress#system}). */
    public static String systemBusAddress() {
        return ManagerAddress.system(System.getenv()).busAddress();
    }

    /** The calling user's manager's bus ({@link ManagerAddress#user}). */
    public static String userBusAddress() {
        return ManagerAddress.user(System.getenv(), uid()).busAddress();
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
        List<?> listed = invoke(Action.read("list the units matching", pattern), true,
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
        List<UnitName> distinct = List.copyOf(new LinkedHashSet<>(units));
        Map<UnitName, UnitState> states = new LinkedHashMap<>();
        for (int from = 0; from < distinct.size(); from += UNITS_PER_BATCH) {
            List<UnitName> batch = distinct.subList(from, Math.min(distinct.size(), from + UNITS_PER_BATCH));
            Action action = batch.size() == 1
                    ? Action.read("read the state of", batch.get(0))
                    : Action.read("read the state of", batch.get(0) + " and " + (batch.size() - 1) + " more units");
            states.putAll(invoke(action, true, s -> fetchStates(s, batch)));
        }
        return Collections.unmodifiableMap(states);
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
        return runJob("start", START_UNIT, unit, jobTimeout);
    }

    /** Stops {@code unit} and waits for the job; see {@link #start}. */
    public JobResult stop(UnitName unit, Duration jobTimeout) {
        return runJob("stop", STOP_UNIT, unit, jobTimeout);
    }

    /** Restarts {@code unit} (starts it if stopped) and waits for the job; see {@link #start}. */
    public JobResult restart(UnitName unit, Duration jobTimeout) {
        return runJob("restart", RESTART_UNIT, unit, jobTimeout);
    }

    /**
     * Enables {@code unit} persistently ({@code runtime=false}), then reloads the manager if anything
     * changed, like {@code systemctl enable}.
     *
     * @return the symlinks created, for {@code Created symlink …} lines; empty if already enabled
     * @throws SystemdException {@code FAILED} if the unit file has no {@code [Install]} section
     */
    public List<UnitFileChange> enable(UnitName unit) {
        Objects.requireNonNull(unit, "unit");
        Action action = Action.manageUnitFiles("enable", unit.toString(), unit.templateFileName());
        InstallResult<?, ?> result = invoke(action, false, s -> (InstallResult<?, ?>)
                s.call(BusSession.MANAGER_PATH, ENABLE_UNIT_FILES, List.of(unit.toString()), false, false));
        List<UnitFileChange> changes = changes(result.changes);
        if (changes.isEmpty() && Boolean.FALSE.equals(result.carriesInstallInfo)) {
            throw new SystemdException(SystemdException.Reason.FAILED,
                    "Cannot enable " + unit + ": its unit file has no [Install] section, so there is nothing to enable.",
                    "Add an [Install] section with WantedBy=" + (endpoint.userManager() ? "default.target" : "multi-user.target")
                            + " to " + unit.templateFileName() + " and run '" + systemctl() + " daemon-reload'.",
                    null);
        }
        reloadIfChanged(changes);
        return changes;
    }

    /**
     * Disables {@code unit} ({@code runtime=false}), then reloads the manager if anything changed,
     * like {@code systemctl disable}. Does not stop it.
     *
     * @return the symlinks removed, for {@code Removed …} lines; empty if it was not enabled
     */
    public List<UnitFileChange> disable(UnitName unit) {
        Objects.requireNonNull(unit, "unit");
        Action action = Action.manageUnitFiles("disable", unit.toString(), unit.templateFileName());
        List<UnitFileChange> changes = changes(invoke(action, false, s ->
                s.call(BusSession.MANAGER_PATH, DISABLE_UNIT_FILES, List.of(unit.toString()), false)));
        reloadIfChanged(changes);
        return changes;
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
        Objects.requireNonNull(file, "file");
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
        if (!file.isAbsolute() || !fileName.endsWith(UnitName.SUFFIX)
                || !UnitName.isValidPrefix(fileName.substring(0, fileName.length() - UnitName.SUFFIX.length()))) {
            throw new IllegalArgumentException("Refusing to link '" + file + "': only absolute paths of template"
                    + " unit files named like '" + UnitName.DEFAULT_PREFIX + UnitName.SUFFIX + "' are linked.");
        }
        Action action = Action.manageUnitFiles("link", file.toString(), fileName);
        List<UnitFileChange> changes = changes(invoke(action, false, s ->
                s.call(BusSession.MANAGER_PATH, LINK_UNIT_FILES, List.of(file.toString()), runtime, false)));
        reloadIfChanged(changes);
        return changes;
    }

    /**
     * Asks the manager for nothing ({@code org.freedesktop.DBus.Peer.Ping}), connecting first if
     * needed: the cheapest proof that systemd answers.
     *
     * @throws SystemdException {@code BUS_UNREACHABLE} when it does not
     */
    public void ping() {
        invoke(Action.read("reach", "the manager"), true, s -> s.call(BusSession.MANAGER_PATH, PING));
    }

    /**
     * Reopens the signal connection behind {@link UnitChanges#subscribe} if it died, asking systemd
     * nothing while it lives (a local check): for callers that read over another connection (the
     * model's lean reads) and so no longer make the calls that would notice. Never throws; a failed
     * reopen is tried again at a later call, as after any call.
     */
    public void keepSignalsFlowing() {
        synchronized (sessionLock) {
            if (!closed) {
                maintainFeed();
            }
        }
    }

    /** Reloads the manager's configuration, like {@code systemctl daemon-reload}; returns when done. */
    public void reload() {
        invoke(Action.reload(), true, s -> s.call(BusSession.MANAGER_PATH, RELOAD));
    }

    /** The directories the manager loads unit files from, in priority order (property {@code UnitPath}). */
    public List<Path> unitSearchPath() {
        Object value = invoke(Action.read("read", "the unit search path"), true,
                s -> s.call(BusSession.MANAGER_PATH, GET, MANAGER_INTERFACE, "UnitPath"));
        List<Path> paths = new ArrayList<>();
        if (value instanceof Variant<?> variant) {
            value = variant.getValue();
        }
        if (value instanceof Collection<?> list) {
            list.forEach(p -> paths.add(Path.of(p.toString())));
        } else if (value instanceof Object[] array) {
            for (Object p : array) {
                paths.add(Path.of(p.toString()));
            }
        }
        return List.copyOf(paths);
    }

    /**
     * The enablement state of {@code unit}'s file, as {@code systemctl is-enabled} prints it:
     * {@code enabled}, {@code disabled}, {@code linked}, {@code static}, {@code masked}, …, and
     * {@code not-found} if there is no unit file.
     */
    public String unitFileState(UnitName unit) {
        Objects.requireNonNull(unit, "unit");
        return invoke(Action.read("read the unit file state of", unit), true, s -> {
            try {
                return (String) s.call(BusSession.MANAGER_PATH, GET_UNIT_FILE_STATE, unit.toString());
            } catch (CallFailure f) {
                if (isNotFound(f)) {
                    return "not-found";
                }
                throw f;
            }
        });
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
            UnitWatch watch = new UnitWatch(templatePrefix, listener);
            synchronized (sessionLock) {
                if (closed) {
                    throw new IllegalStateException("This SystemdBus (" + address + ") is closed.");
                }
                unitWatches.add(watch);
                nextFeedAttempt = System.nanoTime();
                maintainFeed();
            }
            return () -> unitWatches.removeIf(w -> w == watch);
        }
    }

    /** Closes the connection; later calls throw {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        BusSession last;
        SignalFeed lastFeed;
        synchronized (sessionLock) {
            closed = true;
            last = session;
            session = null;
            lastFeed = feed;
            feed = null;
        }
        if (last != null) {
            last.close();
        }
        if (lastFeed != null) {
            lastFeed.close();
        }
        unitWatches.clear();
        connector.shutdownNow();
    }

    @Override
    public String toString() {
        return "SystemdBus[" + address + "]";
    }

    /** How many connections this client has opened (each one subscribed anew); for tests. */
    int sessionsOpened() {
        synchronized (sessionLock) {
            return sessionsOpened;
        }
    }

    // ---- operations -------------------------------------------------------------------------

    private Map<UnitName, UnitState> fetchStates(BusSession s, List<UnitName> batch) throws CallFailure {
        long deadline = System.nanoTime() + callTimeout.toNanos();
        Map<UnitName, BusSession.Pending> loads = new LinkedHashMap<>();
        for (UnitName unit : batch) {
            if (!unitPaths.containsKey(unit)) {
                loads.put(unit, s.send(BusSession.MANAGER_PATH, LOAD_UNIT, unit.toString()));
            }
        }
        if (unitPaths.size() + loads.size() > MAX_CACHED_PATHS) {
            unitPaths.clear();
        }
        Map<UnitName, String> paths = new LinkedHashMap<>();
        for (UnitName unit : batch) {
            BusSession.Pending load = loads.get(unit);
            String path = load != null ? ((DBusPath) s.await(load, deadline)).getPath() : unitPaths.get(unit);
            if (path == null) { // evicted by a concurrent clear: ask once more
                path = ((DBusPath) s.call(BusSession.MANAGER_PATH, LOAD_UNIT, unit.toString())).getPath();
            }
            unitPaths.put(unit, path);
            paths.put(unit, path);
        }
        Map<UnitName, BusSession.Pending[]> gets = new LinkedHashMap<>();
        for (Map.Entry<UnitName, String> e : paths.entrySet()) {
            gets.put(e.getKey(), new BusSession.Pending[] {
                s.send(e.getValue(), GET_ALL, UNIT_INTERFACE),
                s.send(e.getValue(), GET_ALL, SERVICE_INTERFACE)});
        }
        Map<UnitName, UnitState> states = new LinkedHashMap<>();
        for (Map.Entry<UnitName, BusSession.Pending[]> e : gets.entrySet()) {
            Map<String, Variant<?>> unitProps = properties(s.await(e.getValue()[0], deadline));
            Map<String, Variant<?>> serviceProps;
            try {
                serviceProps = properties(s.await(e.getValue()[1], deadline));
            } catch (CallFailure f) {
                if (f.kind() != CallFailure.Kind.REMOTE_ERROR) {
                    throw f;
                }
                LOG.debug("No service properties for {}: {}", e.getKey(), f.detail());
                serviceProps = Map.of();
            }
            states.put(e.getKey(), UnitState.fromProperties(e.getKey(), unitProps, serviceProps));
        }
        return states;
    }

    /** The job started by {@code call} and the session whose signals will report its end. */
    private record Job(BusSession session, String path, CompletableFuture<String> result) {
    }

    private JobResult runJob(String operation, Method method, UnitName unit, Duration jobTimeout) {
        Objects.requireNonNull(unit, "unit");
        requirePositive(jobTimeout, "jobTimeout");
        Action action = Action.manageUnit(operation, unit);
        Job job = invoke(action, false, s -> {
            // Announce before sending: JobRemoved may be dispatched before the reply is.
            s.jobs().expectReply();
            boolean claimed = false;
            try {
                String path = ((DBusPath) s.call(BusSession.MANAGER_PATH, method, unit.toString(), MODE_REPLACE)).getPath();
                CompletableFuture<String> result = s.jobs().claim(path);
                claimed = true;
                return new Job(s, path, result);
            } finally {
                if (!claimed) {
                    s.jobs().replyFailed();
                }
            }
        });
        try {
            String result = job.result().get(jobTimeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.debug("{} {}: job {} {}", operation, unit, job.path(), result);
            return new JobResult(unit, operation, result);
        } catch (TimeoutException e) {
            job.session().jobs().forget(job.path());
            throw new SystemdException(SystemdException.Reason.JOB_TIMEOUT,
                    "Timed out after " + ManagerEndpoint.seconds(jobTimeout) + " waiting for systemd to " + operation + " " + unit
                            + " (job " + job.path() + " may still be queued or running).",
                    "Check '" + systemctl() + " status " + unit + "' and '" + journalctl() + " -u " + unit
                            + "'; '" + systemctl() + " list-jobs' shows what systemd is waiting for.",
                    null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CallFailure f) {
                discard(job.session());
                throw new SystemdException(SystemdException.Reason.BUS_UNREACHABLE,
                        "Lost the connection to systemd on D-Bus at " + address + " while waiting for the "
                                + operation + " job of " + unit + " (" + f.detail() + "); the job may still complete.",
                        "Check '" + systemctl() + " status " + unit + "'. " + busHint(),
                        f);
            }
            throw new SystemdException(SystemdException.Reason.FAILED,
                    "Waiting for the " + operation + " job of " + unit + " failed: " + CallFailure.describe(cause), null, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.session().jobs().forget(job.path());
            throw new SystemdException(SystemdException.Reason.FAILED,
                    "Interrupted while waiting for systemd to " + operation + " " + unit + " (job " + job.path() + ").",
                    null, e);
        }
    }

    private void reloadIfChanged(List<UnitFileChange> changes) {
        if (!changes.isEmpty()) {
            reload();
        }
    }

    private static List<UnitFileChange> changes(Object wire) {
        List<UnitFileChange> changes = new ArrayList<>();
        if (wire instanceof Collection<?> list) {
            for (Object change : list) {
                changes.add(UnitFileChange.of((UnitFileChangeStruct) change));
            }
        }
        return List.copyOf(changes);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Variant<?>> properties(Object reply) {
        return reply instanceof Map<?, ?> map ? (Map<String, Variant<?>>) map : Map.of();
    }

    // ---- connection and retry ---------------------------------------------------------------

    /** A unit of work on one session; may throw {@link CallFailure} for the caller to translate. */
    @FunctionalInterface
    private interface BusWork<T> {
        T run(BusSession session) throws CallFailure;
    }

    /**
     * Runs {@code work} on the current session, reconnecting first if it is dead. Retries once on a
     * new session if the call never left (the connection was already gone), or, for
     * {@code idempotent} work, if the connection dropped while waiting.
     */
    private <T> T invoke(Action action, boolean idempotent, BusWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            BusSession s = session(action);
            try {
                return work.run(s);
            } catch (CallFailure f) {
                if (f.busGone()) {
                    discard(s);
                }
                boolean retry = attempt == 1 && (f.kind() == CallFailure.Kind.NOT_SENT || f.managerLeft()
                        || idempotent && f.kind() == CallFailure.Kind.CONNECTION_LOST);
                if (!retry) {
                    throw translate(action, f);
                }
                LOG.debug("Retrying '{}' on a new connection after: {}", action.describe(), f.detail());
            }
        }
    }

    /** The live session, opening a new one if there is none. */
    private BusSession session(Action action) {
        synchronized (sessionLock) {
            if (closed) {
                throw new IllegalStateException("This SystemdBus (" + address + ") is closed.");
            }
            if (session != null && session.isAlive()) {
                maintainFeed();
                return session;
            }
            if (session != null) {
                session.close();
                session = null;
            }
            try {
                session = openSession();
            } catch (CallFailure f) {
                throw translate(action, f);
            }
            sessionsOpened++;
            LOG.debug("Connected to systemd at {} (connection {})", address, sessionsOpened);
            maintainFeed();
            return session;
        }
    }

    /** Opens a session on the connector thread, so that a bus that accepts but never answers cannot hang us. */
    private BusSession openSession() throws CallFailure {
        return openOnConnector(() -> BusSession.open(address, callTimeout), BusSession::close);
    }

    /** Opens a connection of some kind; fails with a {@link CallFailure}. */
    @FunctionalInterface
    private interface Opener<T> {
        T open() throws CallFailure;
    }

    /**
     * Runs {@code opener} on the connector thread and waits at most the call timeout; a connection
     * that arrives after we stopped waiting is closed with {@code close}.
     */
    private <T> T openOnConnector(Opener<T> opener, Consumer<T> close) throws CallFailure {
        CompletableFuture<T> opening;
        try {
            opening = CompletableFuture.supplyAsync(() -> {
                try {
                    return opener.open();
                } catch (CallFailure f) {
                    throw new CompletionException(f);
                }
            }, connector);
        } catch (RejectedExecutionException e) {
            throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, null,
                    MAX_CONNECT_THREADS + " earlier connection attempts are still hanging", e);
        }
        try {
            return opening.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            opening.thenAccept(close);
            throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, null,
                    "no answer within " + ManagerEndpoint.seconds(callTimeout) + " while connecting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CallFailure f) {
                throw f;
            }
            throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, null, CallFailure.describe(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opening.thenAccept(close);
            throw new CallFailure(CallFailure.Kind.INTERRUPTED, null, "interrupted while connecting", e);
        }
    }

    private void discard(BusSession dead) {
        synchronized (sessionLock) {
            if (session == dead) {
                session = null;
            }
        }
        dead.close();
    }

    // ---- unit signals -----------------------------------------------------------------------

    /** Seconds between attempts to reopen a signal connection that could not be opened. */
    private static final int SIGNAL_RETRY_SECONDS = 5;

    /** One {@link UnitChanges#subscribe} registration; compared by identity. */
    private static final class UnitWatch {
        final String templatePrefix;
        final Consumer<UnitName> listener;

        UnitWatch(String templatePrefix, Consumer<UnitName> listener) {
            this.templatePrefix = templatePrefix;
            this.listener = listener;
        }
    }

    /**
     * Opens the signal connection if there are listeners and it is missing or dead, unless the last
     * attempt failed less than {@code SIGNAL_RETRY_SECONDS} ago. Never throws: a failure only
     * costs signals. Caller holds {@code sessionLock}.
     */
    private void maintainFeed() {
        if (unitWatches.isEmpty() || feed != null && feed.isAlive() || System.nanoTime() - nextFeedAttempt < 0) {
            return;
        }
        if (feed != null) {
            feed.close();
            feed = null;
        }
        try {
            feed = openFeed();
            feedsOpened++;
            LOG.debug("Receiving unit signals from systemd at {} (signal connection {})", address, feedsOpened);
        } catch (CallFailure f) {
            nextFeedAttempt = System.nanoTime() + TimeUnit.SECONDS.toNanos(SIGNAL_RETRY_SECONDS);
            LOG.warn("Cannot receive unit signals from systemd at {} ({}); retrying with a later call.", address, f.detail());
        }
    }

    /** Opens a signal connection on the connector thread, bounded by the call timeout like {@link #openSession}. */
    private SignalFeed openFeed() throws CallFailure {
        return openOnConnector(() -> {
            try {
                return SignalFeed.open(address, this::unitSignalled);
            } catch (DBusException | RuntimeException e) {
                throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, null, CallFailure.describe(e), e);
            }
        }, SignalFeed::close);
    }

    /** On the signal thread: hands {@code unitName} to every listener whose template it belongs to. */
    private void unitSignalled(String unitName) {
        for (UnitWatch watch : unitWatches) {
            UnitName.parse(watch.templatePrefix, unitName).ifPresent(unit -> {
                try {
                    watch.listener.accept(unit);
                } catch (RuntimeException e) {
                    LOG.warn("A unit change listener failed for {}", unit, e);
                }
            });
        }
    }

    /**
     * The unit an object path under {@code /org/freedesktop/systemd1/unit/} stands for: systemd
     * names unit objects by the unit name with every byte other than {@code [A-Za-z0-9]} written as
     * {@code _xx} (two lower-case hex digits; {@code bus_label_escape} in systemd's
     * {@code bus-label.c}). Empty for any other path.
     */
    static String unitOfPath(String objectPath) {
        if (objectPath == null || !objectPath.startsWith(SignalFeed.UNIT_PATH_PREFIX)) {
            return "";
        }
        String label = objectPath.substring(SignalFeed.UNIT_PATH_PREFIX.length());
        StringBuilder name = new StringBuilder(label.length());
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c == '_' && i + 2 < label.length()
                    && Character.digit(label.charAt(i + 1), 16) >= 0 && Character.digit(label.charAt(i + 2), 16) >= 0) {
                name.append((char) Integer.parseInt(label, i + 1, i + 3, 16));
                i += 2;
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    /**
     * The receive-only connection behind {@link UnitChanges#subscribe}. It is separate from {@link BusSession}
     * so that registering listeners needs no change to how calls are made; it subscribes on its own so
     * that it works whatever state the call connection is in.
     */
    private static final class SignalFeed implements AutoCloseable {

        static final String UNIT_PATH_PREFIX = BusSession.MANAGER_PATH + "/unit/";

        /** {@code PropertiesChanged} of unit objects only, so other services' signals never reach us. */
        private static final DBusMatchRule UNIT_PROPERTIES = DBusMatchRuleBuilder.create()
                .withType("signal")
                .withInterface("org.freedesktop.DBus.Properties")
                .withMember("PropertiesChanged")
                .withPathNamespace(BusSession.MANAGER_PATH + "/unit")
                .build();

        private final String address;
        private final AtomicBoolean alive = new AtomicBoolean(true);
        private final DBusConnection connection;

        private SignalFeed(String address) throws DBusException {
            this.address = address;
            this.connection = DBusConnectionBuilder.forAddress(address)
                    .withShared(false)
                    .withDisconnectCallback(new IDisconnectCallback() {
                        @Override
                        public void disconnectOnError(java.io.IOException e) {
                            lost("connection error: " + CallFailure.describe(e));
                        }

                        @Override
                        public void clientDisconnect() {
                            lost("the bus closed the connection");
                        }

                        @Override
                        public void requestedDisconnect(Integer connectionId) {
                            alive.set(false);
                        }
                    })
                    .transportConfig()
                        .withTimeout(500) // one connect attempt, as in BusSession
                        .back()
                    .receivingThreadConfig()
                        .withSignalThreadCount(1)
                        .withMethodCallThreadCount(1)
                        .connectionConfig()
                    .build();
        }

        /** Connects, adds the match rules and subscribes; blocks (the caller bounds it). */
        static SignalFeed open(String address, Consumer<String> onUnit) throws DBusException {
            SignalFeed feed = new SignalFeed(address);
            try {
                String[] manager = {BusSession.SYSTEMD};
                feed.connection.addGenericSigHandler(BusSession.MANAGER_OWNER, s -> {
                    if (!BusSession.ownerChange(s).equals(manager[0])) {
                        feed.lost("systemd (" + manager[0] + ") left the bus");
                    }
                });
                manager[0] = feed.connection.getRemoteObject(BusSession.BUS_NAME, BusSession.BUS_PATH,
                        org.freedesktop.dbus.interfaces.DBus.class).GetNameOwner(BusSession.SYSTEMD);
                feed.connection.addGenericSigHandler(UNIT_PROPERTIES, s -> onUnit.accept(unitOfPath(s.getPath())));
                feed.connection.addSigHandler(Systemd1Manager.JobRemoved.class, s -> onUnit.accept(s.getUnit()));
                feed.connection.getRemoteObject(manager[0], BusSession.MANAGER_PATH, Systemd1Manager.class)
                        .Subscribe();
                return feed;
            } catch (DBusException | RuntimeException e) {
                feed.close();
                throw e;
            }
        }

        boolean isAlive() {
            return alive.get() && connection.isConnected();
        }

        private void lost(String why) {
            if (alive.getAndSet(false)) {
                LOG.debug("Lost the signal connection to systemd at {}: {}", address, why);
            }
        }

        @Override
        public void close() {
            alive.set(false);
            try {
                connection.close();
            } catch (java.io.IOException | RuntimeException e) {
                LOG.debug("Closing the signal connection to {} failed", address, e);
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private SystemdException translate(Action action, CallFailure f) {
        return endpoint.explain(action, f);
    }

    private String systemctl() {
        return endpoint.systemctl();
    }

    private String journalctl() {
        return endpoint.journalctl();
    }

    private String busHint() {
        return endpoint.busHint();
    }

    private static boolean isNotFound(CallFailure f) {
        return f.kind() == CallFailure.Kind.REMOTE_ERROR
                && ("org.freedesktop.DBus.Error.FileNotFound".equals(f.errorName())
                        || "org.freedesktop.systemd1.NoSuchUnit".equals(f.errorName()));
    }

    private static Duration requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }

    /** This process's user id, as the D-Bus {@code EXTERNAL} mechanism names it. */
    static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return new com.sun.security.auth.module.UnixSystem().getUid();
        }
    }
}
