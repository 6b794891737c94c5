package io.iocagent.ops;

import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.posix.Posix;
import io.iocagent.systemd.ManagerAddress;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.UnitControl;
import io.iocagent.systemd.UnitQuery;
import io.iocagent.systemd.WireUnitControl;
import io.iocagent.systemd.WireUnitQuery;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Which manager a command line's mode talks to: PID 1 (system mode) or the caller's user manager
 * (local mode), located by {@link ManagerAddress} from the caller's environment. Here rather than
 * in the command line's package because opening a source is the operations' business: the command
 * line only hands the result to its {@link Session}.
 */
public final class SystemdConnector {

    /** Reply timeout of every D-Bus call a command line makes. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(25);

    private SystemdConnector() {
    }

    /**
     * dbus-java logs every connect at INFO and every lost bus as SEVERE with a stack trace; a
     * command line reports systemd failures itself, in words, so the library stays quiet. Set up
     * only when dbus-java is about to be used: the logging system costs a command that never
     * needs it some 40 ms. Held in a field because java.util.logging keeps loggers only weakly.
     */
    private static final class QuietDbusJava {
        static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("org.freedesktop.dbus");

        static {
            LOG.setLevel(java.util.logging.Level.OFF);
        }

        static SystemdBus connect(String address) {
            return SystemdBus.connect(address, CALL_TIMEOUT);
        }
    }

    public static Supplier<SystemdBus> forLayout(Layout layout, Map<String, String> env, Account account) {
        return () -> QuietDbusJava.connect(address(layout.mode(), env, account));
    }

    /**
     * The read-only queries of a command: a lean connection to the manager's private socket or
     * bus ({@link WireUnitQuery}); dbus-java only for bus addresses the lean client cannot open
     * (anything but {@code unix:path=}).
     */
    public static Supplier<UnitQuery> queries(Layout layout, Map<String, String> env, Account account) {
        return () -> {
            ManagerAddress manager = manager(layout.mode(), env, account);
            try {
                return WireUnitQuery.connect(manager, Posix.euid(), CALL_TIMEOUT);
            } catch (IllegalArgumentException e) {
                return UnitQuery.over(QuietDbusJava.connect(manager.busAddress()), true);
            }
        };
    }

    /**
     * Jobs, reloads and states of a command (start, stop, restart, remove, install): the lean
     * {@link WireUnitControl} on the manager's private socket or bus, with dbus-java opened only for
     * unit-file changes (enable, disable, linking the template). Null when the bus address is not
     * one the lean client can open (the session then runs everything over dbus-java).
     */
    public static Supplier<UnitControl> control(Layout layout, Map<String, String> env, Account account) {
        ManagerAddress manager = manager(layout.mode(), env, account);
        if (WireUnitQuery.socketPath(manager.busAddress()).isEmpty()) {
            return null;
        }
        return () -> WireUnitControl.connect(manager, Posix.euid(), CALL_TIMEOUT, forLayout(layout, env, account));
    }

    static ManagerAddress manager(Mode mode, Map<String, String> env, Account account) {
        return mode == Mode.SYSTEM ? ManagerAddress.system(env) : ManagerAddress.user(env, account.uid());
    }

    /** The bus address of {@code mode}'s manager, for the agent's own connection. */
    public static String address(Mode mode, Map<String, String> env, Account account) {
        return manager(mode, env, account).busAddress();
    }
}
