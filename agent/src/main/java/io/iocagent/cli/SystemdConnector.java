package io.iocagent.cli;

import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Which bus a mode talks to: the system bus (system mode) or the user manager's bus at
 * {@code $XDG_RUNTIME_DIR/bus} (local mode), taken from the caller's environment.
 */
final class SystemdConnector {

    /** Reply timeout of every D-Bus call a command line makes. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(25);

    private SystemdConnector() {
    }

    static Supplier<SystemdBus> forLayout(Layout layout, Map<String, String> env, Account account) {
        return () -> SystemdBus.connect(address(layout.mode(), env, account), CALL_TIMEOUT);
    }

    static String address(Mode mode, Map<String, String> env, Account account) {
        if (mode == Mode.SYSTEM) {
            String system = env.get("DBUS_SYSTEM_BUS_ADDRESS");
            return system == null || system.isBlank() ? "unix:path=/run/dbus/system_bus_socket" : system;
        }
        String runtime = env.get("XDG_RUNTIME_DIR");
        return "unix:path=" + (runtime == null || runtime.isBlank() ? "/run/user/" + account.uid() : runtime) + "/bus";
    }
}
