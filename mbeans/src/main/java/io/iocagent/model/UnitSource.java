package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.systemd.SystemdException;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Thread-safe: the model thread reads states for signals while the poll thread lists and reads
 * states for the poll. Calls to systemd run outside this object's lock.
 */
final class UnitSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UnitSource.class);

    private final String templatePrefix;
    private final Supplier<UnitFeed> connector;
    private final Consumer<IocName> signalled;
    private UnitFeed bus; // guarded by this
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

    /** Lists the template's units. */
    Map<UnitName, UnitSummary> list() throws SystemdException {
        return bus().listUnits(templatePrefix);
    }

    /** The full states of {@code names}' units; those systemd did not answer for are missing. */
    Map<IocName, UnitState> states(Collection<IocName> names) throws SystemdException {
        Map<IocName, UnitState> states = new HashMap<>();
        if (names.isEmpty()) {
            return states;
        }
        List<UnitName> units = names.stream().map(n -> new UnitName(templatePrefix, n)).toList();
        bus().states(units).forEach((u, s) -> states.put(u.name(), s));
        return states;
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

    /** The client, connecting first if there is none yet. */
    private UnitFeed bus() throws SystemdException {
        synchronized (this) {
            if (bus != null) {
                return bus;
            }
            if (closed) {
                throw new IllegalStateException("The IOC model is closed.");
            }
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
            if (bus == null && !closed) {
                bus = b;
                subscription = s;
                return b;
            }
        }
        closeQuietly(s);
        b.close();
        synchronized (this) {
            if (bus != null) {
                return bus; // another thread connected meanwhile
            }
        }
        throw new IllegalStateException("The IOC model is closed.");
    }

    @Override
    public void close() {
        UnitFeed b;
        AutoCloseable s;
        synchronized (this) {
            closed = true;
            b = bus;
            s = subscription;
        }
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
