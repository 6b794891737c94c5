package io.iocagent.systemd;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the states of many units in batches: the {@code LoadUnit} and {@code GetAll} calls for up
 * to {@value #UNITS_PER_BATCH} units are in flight at the same time, so the cost is a few round
 * trips, not three per unit. Unit object paths are cached (they never change), bounded by
 * {@value #MAX_CACHED_PATHS} entries. Thread-safe.
 */
final class UnitStateReader {

    private static final Logger LOG = LoggerFactory.getLogger(UnitStateReader.class);

    private static final String UNIT_INTERFACE = "org.freedesktop.systemd1.Unit";
    private static final String SERVICE_INTERFACE = "org.freedesktop.systemd1.Service";

    /**
     * Units whose properties are requested at once: three calls each (LoadUnit, two GetAll), kept
     * well below dbus-daemon's default {@code max_replies_per_connection} of 128 on the system bus.
     */
    static final int UNITS_PER_BATCH = 20;

    /** Bound on the unit-name to object-path cache (paths never change, so it is only a size cap). */
    private static final int MAX_CACHED_PATHS = 4096;

    private static final Method LOAD_UNIT = BusSession.method(Systemd1Manager.class, "LoadUnit", String.class);
    private static final Method GET_ALL = BusSession.method(Properties.class, "GetAll", String.class);

    private final ManagerLink link;
    private final Duration callTimeout;
    /**
     * Unit object paths from {@code LoadUnit}. A path stays valid even after systemd unloads the
     * unit: systemd loads units on demand when their object is accessed (observed with systemd 252).
     */
    private final Map<UnitName, String> unitPaths = new ConcurrentHashMap<>();

    UnitStateReader(ManagerLink link, Duration callTimeout) {
        this.link = link;
        this.callTimeout = callTimeout;
    }

    /** See {@link SystemdBus#states}. */
    Map<UnitName, UnitState> states(Collection<UnitName> units) {
        List<UnitName> distinct = List.copyOf(new LinkedHashSet<>(units));
        Map<UnitName, UnitState> states = new LinkedHashMap<>();
        for (int from = 0; from < distinct.size(); from += UNITS_PER_BATCH) {
            List<UnitName> batch = distinct.subList(from, Math.min(distinct.size(), from + UNITS_PER_BATCH));
            Action action = batch.size() == 1
                    ? Action.read("read the state of", batch.get(0))
                    : Action.read("read the state of", batch.get(0) + " and " + (batch.size() - 1) + " more units");
            states.putAll(link.invoke(action, true, s -> fetch(s, batch)));
        }
        return Collections.unmodifiableMap(states);
    }

    private Map<UnitName, UnitState> fetch(BusSession s, List<UnitName> batch) throws CallFailure {
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

    @SuppressWarnings("unchecked")
    private static Map<String, Variant<?>> properties(Object reply) {
        return reply instanceof Map<?, ?> map ? (Map<String, Variant<?>>) map : Map.of();
    }
}
