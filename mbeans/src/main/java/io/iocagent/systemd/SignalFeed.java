package io.iocagent.systemd;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.matchrules.DBusMatchRule;
import org.freedesktop.dbus.matchrules.DBusMatchRuleBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive-only connection behind {@link SystemdBus.UnitChanges#subscribe}. It is separate from {@link BusSession}
 * so that registering listeners needs no change to how calls are made; it subscribes on its own so
 * that it works whatever state the call connection is in.
 */
final class SignalFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SignalFeed.class);

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
        this.connection = UnsharedConnection.open(address, this::lost, () -> alive.set(false));
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

    /**
     * The unit an object path under {@code /org/freedesktop/systemd1/unit/} stands for: systemd
     * names unit objects by the unit name with every byte other than {@code [A-Za-z0-9]} written as
     * {@code _xx} (two lower-case hex digits; {@code bus_label_escape} in systemd's
     * {@code bus-label.c}). Empty for any other path.
     */
    static String unitOfPath(String objectPath) {
        if (objectPath == null || !objectPath.startsWith(UNIT_PATH_PREFIX)) {
            return "";
        }
        String label = objectPath.substring(UNIT_PATH_PREFIX.length());
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
}
