package io.iocagent.model;

import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the model asks of systemd, and nothing more: a ping, the template's unit list, whole unit
 * states, and the signals for the template's units. {@link #over(SystemdBus)} answers it with the
 * agent's long-lived {@link SystemdBus}, whose methods of the same names document each call; unit
 * tests of the model answer it with a table. Failures arrive as
 * {@link io.iocagent.systemd.SystemdException}.
 */
interface UnitFeed extends AutoCloseable {

    /** See {@link SystemdBus#ping}. */
    void ping();

    /** See {@link SystemdBus#listUnits}. */
    Map<UnitName, UnitSummary> listUnits(String templatePrefix);

    /** See {@link SystemdBus#states}. */
    Map<UnitName, UnitState> states(Collection<UnitName> units);

    /** Tells {@code listener} of every unit of the template systemd signals; see {@link SystemdBus.UnitChanges#subscribe}. */
    AutoCloseable subscribe(String templatePrefix, Consumer<UnitName> listener);

    /** Where systemd is reached, for log lines. */
    String address();

    @Override
    void close();

    /** The feed of {@code bus}, closing it on {@link #close()}. */
    static UnitFeed over(SystemdBus bus) {
        return new UnitFeed() {
            @Override
            public void ping() {
                bus.ping();
            }

            @Override
            public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
                return bus.listUnits(templatePrefix);
            }

            @Override
            public Map<UnitName, UnitState> states(Collection<UnitName> units) {
                return bus.states(units);
            }

            @Override
            public AutoCloseable subscribe(String templatePrefix, Consumer<UnitName> listener) {
                return bus.unitChanges().subscribe(templatePrefix, listener);
            }

            @Override
            public String address() {
                return bus.address();
            }

            @Override
            public void close() {
                bus.close();
            }
        };
    }
}
