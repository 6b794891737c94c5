package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.systemd.SystemdException;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitProperty;
import io.iocagent.systemd.UnitQuery;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's view of systemd: connects on first need (and again after a failed connect), keeps
 * the subscription to the template's unit signals, reads unit lists and states, and remembers
 * whether the last call succeeded — the model's {@code systemdConnected} — and whether every unit
 * must be read anew because systemd was unreachable.
 *
 * <p><b>Two connections.</b> The {@link UnitFeed} carries the signal subscription (and is what
 * {@link #ping} asks). Listings and states are read over lean connections to the same bus
 * ({@link UnitFeed#reader()}), one per {@link Lane}, asking only for {@link #MODEL_PROPERTIES}, one
 * pipelined {@code Properties.Get} each: reading 1,000 units' full states ({@code LoadUnit} and
 * two {@code GetAll} of some 300 properties each, parsed by dbus-java) was most of the agent's
 * start-up. The events lane never waits behind a poll's large read.
 *
 * <p>Thread-safe: the model thread reads states for signals while the poll thread lists and reads
 * states for the poll. Calls to systemd run outside this object's lock.
 */
final class UnitSource implements AutoCloseable {

    /** Who reads: each lane has a connection of its own, used by one thread at a time. */
    enum Lane {
        /** The model thread, for events: few units, wanted at once. */
        EVENTS,
        /** The poll thread: every unit, the listing, the reconcile slice. */
        POLL
    }

    /**
     * What the model takes from a unit's state (see {@link TrackedIoc}, {@link ChildTracker},
     * {@link ReconcileSchedule}); a state read here has the other fields empty.
     */
    static final Set<UnitProperty> MODEL_PROPERTIES = EnumSet.of(UnitProperty.LOAD_STATE, UnitProperty.ACTIVE_STATE,
            UnitProperty.SUB_STATE, UnitProperty.MAIN_PID, UnitProperty.RESTARTS, UnitProperty.ACTIVE_ENTER,
            UnitProperty.CONTROL_GROUP, UnitProperty.CPU_USAGE, UnitProperty.MEMORY_CURRENT,
            UnitProperty.LOADED_UNIT_FILE_STATE);

    /** Units per pipelined read, so one read's deadline (the call timeout) covers a bounded amount of work. */
    static final int UNITS_PER_READ = 100;

    private static final Logger LOG = LoggerFactory.getLogger(UnitSource.class);

    private final String templatePrefix;
    private final Supplier<UnitFeed> connector;
    private final Consumer<IocName> signalled;
    private UnitFeed bus; // guarded by this
    private final Object connecting = new Object(); // held by the one thread that connects
    private final Map<Lane, UnitQuery> readers = new EnumMap<>(Lane.class); // guarded by this
    private AutoCloseable subscription; // guarded by this
    private boolean connected; // guarded by this
    private boolean readAll = true; // guarded by this
    private String lastProblem; // guarded by this
    private boolean closed; // guarded by this

    /**
     * @param connector opens the connection; may throw {@link SystemdException} (asked again later).
     *                  This source owns and closes what it returns.
     * @param signalled told, on the D-Bus signal thread, of every unit of the template systemd signals
     */
    UnitSource(String templatePrefix, Supplier<UnitFeed> connector, Consumer<IocName> signalled) {
        this.templatePrefix = templatePrefix;
        this.connector = connector;
        this.signalled = signalled;
    }

    /** Asks systemd for nothing ({@link UnitFeed#ping}), connecting first; on failure it is noted like any call's. */
    void ping() throws SystemdException {
        try {
            bus().ping();
        } catch (SystemdException e) {
            failed(e);
            throw e;
        }
    }

    /**
     * Lists the template's units (on the poll lane). Asks the {@link UnitFeed} a {@code Ping}
     * first: its calls are what keep the signal connection open (reopened after the bus restarted),
     * and the model's reads no longer go through it.
     */
    Map<UnitName, UnitSummary> list() throws SystemdException {
        bus().ping();
        UnitQuery reader = reader(Lane.POLL);
        try {
            return reader.listUnits(templatePrefix);
        } catch (RuntimeException e) {
            drop(Lane.POLL, reader);
            throw e;
        }
    }

    /**
     * The {@link #MODEL_PROPERTIES} of {@code names}' units, read on {@code lane}; those systemd
     * did not answer for are missing.
     */
    Map<IocName, UnitState> states(Collection<IocName> names, Lane lane) throws SystemdException {
        Map<IocName, UnitState> states = new HashMap<>();
        if (names.isEmpty()) {
            return states;
        }
        List<UnitName> units = names.stream().map(n -> new UnitName(templatePrefix, n)).toList();
        UnitQuery reader = reader(lane);
        try {
            for (int from = 0; from < units.size(); from += UNITS_PER_READ) {
                reader.states(units.subList(from, Math.min(units.size(), from + UNITS_PER_READ)), MODEL_PROPERTIES)
                        .forEach((u, s) -> states.put(u.name(), s));
            }
        } catch (RuntimeException e) {
            drop(lane, reader);
            throw e;
        }
        return states;
    }

    /**
     * The lean reader of {@code lane}, connecting it (and the signal subscription first) if needed,
     * and reopening the signal connection first if it died.
     */
    private UnitQuery reader(Lane lane) throws SystemdException {
        UnitFeed b = bus();
        b.keepSignalsFlowing(); // reads go over the lean connection, so nothing else would notice a dead signal feed
        synchronized (this) {
            UnitQuery r = readers.get(lane);
            if (r != null) {
                return r;
            }
        }
        UnitQuery opened;
        try {
            opened = b.reader();
        } catch (SystemdException e) {
            failed(e);
            throw e;
        }
        synchronized (this) {
            if (!closed && readers.get(lane) == null) {
                readers.put(lane, opened);
                return opened;
            }
        }
        opened.close();
        synchronized (this) {
            UnitQuery r = readers.get(lane);
            if (r != null) {
                return r;
            }
        }
        throw new IllegalStateException("The IOC model is closed.");
    }

    /** Forgets a reader whose call failed (its connection may be broken); the next call connects anew. */
    private void drop(Lane lane, UnitQuery reader) {
        synchronized (this) {
            if (readers.get(lane) != reader) {
                return;
            }
            readers.remove(lane);
        }
        reader.close();
    }

    /**
     * A call succeeded.
     *
     * @param readAll the call read every unit (a poll planned with {@link #mustReadAll()})
     * @return true when every unit must still be read anew (systemd just came back and the call
     *         that noticed did not read them all): the caller asks for a poll
     */
    synchronized boolean answered(boolean readAll) {
        if (!connected && lastProblem != null) {
            LOG.info("systemd answers again at {}; re-reading every unit.", bus == null ? "?" : bus.address());
        }
        boolean pollNeeded = !readAll && !connected && this.readAll;
        if (readAll) {
            this.readAll = false;
        }
        connected = true;
        return pollNeeded;
    }

    /** A call failed: the model is disconnected until one succeeds, and every unit is read anew then. */
    synchronized void failed(SystemdException e) {
        if (connected || lastProblem == null) {
            LOG.warn("Cannot reach systemd: {} The IOC model keeps running; readiness is UNKNOWN until it answers.",
                    e.getMessage());
        }
        lastProblem = e.getMessage();
        connected = false;
        readAll = true;
    }

    synchronized boolean connected() {
        return connected;
    }

    synchronized boolean mustReadAll() {
        return readAll;
    }

    /** Why systemd is unreachable, for the refresh-error log line. */
    synchronized String problem() {
        return "systemd unreachable (" + (lastProblem == null ? "not connected" : lastProblem) + ")";
    }

    /**
     * The client, connecting first if there is none yet. One thread connects at a time: a second
     * caller waits for the first's connection rather than opening its own, because the connector
     * may hand both the same shared client, which the loser's close would close for the winner too.
     */
    private UnitFeed bus() throws SystemdException {
        UnitFeed current = currentBus();
        if (current != null) {
            return current;
        }
        synchronized (connecting) {
            current = currentBus();
            if (current != null) {
                return current;
            }
            UnitFeed b;
            try {
                b = connector.get();
            } catch (SystemdException e) {
                failed(e);
                throw e;
            }
            AutoCloseable s;
            try {
                s = b.subscribe(templatePrefix, unit -> signalled.accept(unit.name()));
            } catch (RuntimeException e) {
                b.close();
                throw e;
            }
            synchronized (this) {
                if (!closed) {
                    bus = b;
                    subscription = s;
                    return b;
                }
            }
            closeQuietly(s);
            b.close();
            throw new IllegalStateException("The IOC model is closed.");
        }
    }

    /** The connected client, or null if there is none yet; throws once closed. */
    private synchronized UnitFeed currentBus() {
        if (bus != null) {
            return bus;
        }
        if (closed) {
            throw new IllegalStateException("The IOC model is closed.");
        }
        return null;
    }

    @Override
    public void close() {
        UnitFeed b;
        AutoCloseable s;
        List<UnitQuery> r;
        synchronized (this) {
            closed = true;
            b = bus;
            s = subscription;
            r = List.copyOf(readers.values());
            readers.clear();
        }
        r.forEach(UnitQuery::close);
        closeQuietly(s);
        if (b != null) {
            b.close();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("Closing the unit signal subscription failed", e);
        }
    }
}
