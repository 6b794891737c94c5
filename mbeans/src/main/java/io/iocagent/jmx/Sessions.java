package io.iocagent.jmx;

import io.iocagent.ops.Session;
import io.iocagent.ops.Terminal;

/**
 * Opens the {@link Session} one JMX operation runs in. The agent passes sessions on its
 * shared systemd connection ({@link Session#onSharedBus});
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

}
