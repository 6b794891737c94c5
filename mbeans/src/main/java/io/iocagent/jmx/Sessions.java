package io.iocagent.jmx;

import io.iocagent.conf.Layout;
import io.iocagent.ops.Session;
import io.iocagent.ops.Terminal;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import java.util.Map;

/**
 * Opens the {@link Session} one JMX operation runs in. The agent passes {@link #onSharedBus};
 * tests pass sessions on a temporary layout, so the real operations run without systemd.
 * Implementations must be thread-safe: operations open sessions from many JMX threads.
 */
@FunctionalInterface
public interface Sessions {

    /**
     * A new session talking to {@code terminal}; the caller closes it.
     *
     * @param force what the command line's {@code --force} means: skip confirmations
     */
    Session open(Terminal terminal, boolean force);

    /**
     * Sessions on the agent's long-lived systemd connection (never closed by a session), for the
     * agent's account, mode layout and environment.
     */
    static Sessions onSharedBus(Layout layout, Account account, Map<String, String> env, SystemdBus bus) {
        Map<String, String> frozen = Map.copyOf(env);
        return (terminal, force) -> Session.onSharedBus(layout, account, frozen, terminal, force, bus);
    }
}
