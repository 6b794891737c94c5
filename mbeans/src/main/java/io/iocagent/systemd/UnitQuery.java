package io.iocagent.systemd;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Read-only questions to a systemd manager about IOC units, asked with only the properties the
 * caller needs. Two implementations: {@link WireUnitQuery}, a short-lived lean connection for the
 * command line (one {@code ListUnitsByPatterns}, one {@code Get} per property asked for), and
 * {@link #over(SystemdBus)}, the agent's long-lived {@link SystemdBus} (which reads whole states).
 *
 * <p>A {@link UnitState} answered here has the properties asked for; the others hold
 * {@link UnitState}'s "unknown" values (empty strings, 0, empty optionals) unless the
 * implementation happened to read them too. Failures arrive as {@link SystemdException}, worded
 * like {@link SystemdBus}'s.
 */
public interface UnitQuery extends AutoCloseable {

    /**
     * The loaded instances of {@code templatePrefix}'s template from one
     * {@code ListUnitsByPatterns}; see {@link SystemdBus#listUnits}.
     */
    Map<UnitName, UnitSummary> listUnits(String templatePrefix);

    /**
     * The states of {@code units} with at least {@code properties} read. Asking a unit's
     * properties makes systemd load it, as {@code systemctl show} does.
     *
     * @return one entry per distinct unit, in the order given
     */
    Map<UnitName, UnitState> states(Collection<UnitName> units, Set<UnitProperty> properties);

    /** The state of one unit; see {@link #states}. */
    default UnitState state(UnitName unit, Set<UnitProperty> properties) {
        return states(List.of(unit), properties).get(unit);
    }

    /** D-Bus method calls made so far (connecting included), for tests and benchmarks; -1 when not counted. */
    int calls();

    @Override
    void close();

    /** The queries answered by the agent's long-lived connection, which stays open on {@link #close()}. */
    static UnitQuery over(SystemdBus bus) {
        return over(bus, false);
    }

    /** The queries answered by {@code bus}, closing it on {@link #close()} when {@code closeBus}. */
    static UnitQuery over(SystemdBus bus, boolean closeBus) {
        return new UnitQuery() {
            @Override
            public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
                return bus.listUnits(templatePrefix);
            }

            @Override
            public Map<UnitName, UnitState> states(Collection<UnitName> units, Set<UnitProperty> properties) {
                return bus.states(units);
            }

            @Override
            public int calls() {
                return -1;
            }

            @Override
            public void close() {
                if (closeBus) {
                    bus.close();
                }
            }
        };
    }
}
