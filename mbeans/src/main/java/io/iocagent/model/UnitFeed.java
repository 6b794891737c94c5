package io.iocagent.model;

import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitQuery;
import io.iocagent.systemd.WireUnitQuery;
import java.util.function.Consumer;

/**
 * What the model asks of systemd, and nothing more: a ping, the signals for the template's units,
 * and lean readers of unit lists and states. {@link #over(SystemdBus)} answers it with the agent's
 * long-lived {@link SystemdBus} (readers over {@link WireUnitQuery}), whose methods of the same
 * names document each call; unit tests of the model answer it with a table. Failures arrive as
 * {@link io.iocagent.systemd.SystemdException}.
 */
interface UnitFeed extends AutoCloseable {

    /** See {@link SystemdBus#ping}. */
    void ping();

    /** See {@link SystemdBus#keepSignalsFlowing}. */
    void keepSignalsFlowing();

    /** Tells {@code listener} of every unit of the template systemd signals; see {@link SystemdBus.UnitChanges#subscribe}. */
    AutoCloseable subscribe(String templatePrefix, Consumer<UnitName> listener);

    /** A new reader of unit lists and states on a connection of its own; the caller closes it. */
    UnitQuery reader();

    /** Where systemd is reached, for log lines. */
    String address();

    @Override
    void close();

    /**
     * The feed of {@code bus}, closing it on {@link #close()}. Its readers are lean connections to
     * the same bus ({@link WireUnitQuery}); where the bus address is not a {@code unix:path=} one,
     * {@code bus} answers instead (whole states).
     */
    static UnitFeed over(SystemdBus bus) {
        return new UnitFeed() {
            @Override
            public void ping() {
                bus.ping();
            }

            @Override
            public void keepSignalsFlowing() {
                bus.keepSignalsFlowing();
            }

            @Override
            public AutoCloseable subscribe(String templatePrefix, Consumer<UnitName> listener) {
                return bus.unitChanges().subscribe(templatePrefix, listener);
            }

            @Override
            public UnitQuery reader() {
                try {
                    return WireUnitQuery.onBus(bus.address(), bus.callTimeout());
                } catch (IllegalArgumentException e) {
                    return UnitQuery.over(bus);
                }
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
