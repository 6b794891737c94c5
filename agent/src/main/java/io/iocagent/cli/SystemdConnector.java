package io.iocagent.cli;

import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.ManagerAddress;
import io.iocagent.systemd.SystemdBus;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Which manager a mode talks to: PID 1 (system mode) or the caller's user manager (local mode),
 * located by {@link ManagerAddress} from the caller's environment.
 */
final class SystemdConnector {

    /** Reply timeout of every D-Bus call a command line makes. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(25);

    private SystemdConnector() {
    }

    static Supplier<SystemdBus> forLayout(Layout layout, Map<String, String> env, Account account) {
        return () -> SystemdBus.connect(address(layout.mode(), env, account), CALL_TIMEOUT);
    }

    static ManagerAddress manager(Mode mode, Map<String, String> env, Account account) {
        return mode == Mode.SYSTEM ? ManagerAddress.system(env) : ManagerAddress.user(env, account.uid());
    }

    static String address(Mode mode, Map<String, String> env, Account account) {
        return manager(mode, env, account).busAddress();
    }
}
