package io.iocagent.agent;

import io.iocagent.systemd.SystemdBus;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The agent's one systemd connection, opened on first use so the agent starts (and keeps
 * running) while systemd or the bus is unreachable. Once open, {@link SystemdBus} reconnects by
 * itself; until then every caller's attempt retries the connect and gets its clear exception.
 * The model owns and closes what it is handed (it does when its signal subscription cannot be
 * made), so a closed client is replaced by a new one rather than handed out again. Thread-safe.
 */
final class SharedBus implements Supplier<SystemdBus>, AutoCloseable {

    private final String address;
    private final Duration callTimeout;
    private SystemdBus bus;

    SharedBus(String address, Duration callTimeout) {
        this.address = address;
        this.callTimeout = callTimeout;
    }

    @Override
    public synchronized SystemdBus get() {
        if (bus == null || bus.isClosed()) {
            bus = SystemdBus.connect(address, callTimeout);
        }
        return bus;
    }

    String address() {
        return address;
    }

    @Override
    public synchronized void close() {
        if (bus != null) {
            bus.close();
            bus = null;
        }
    }
}
