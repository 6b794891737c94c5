package io.iocagent.systemd;

import java.io.IOException;
import java.util.function.Consumer;
import org.freedesktop.dbus.connections.IDisconnectCallback;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;

/**
 * How this package opens a dbus-java connection, for calls ({@link BusSession}) and for signals
 * ({@link SignalFeed}) alike: never shared (a shared one would be handed to any other
 * {@code build()} for the same address, with that caller's settings), one connect attempt
 * (reconnecting is the caller's job), one thread each for signals and method calls, and
 * dbus-java's disconnect notifications turned into one {@code lost(why)} call. Those run on
 * dbus-java's reader thread while it holds the connection's lock, so {@code lost} and
 * {@code closedByUs} must only flip flags and fail waiters.
 */
final class UnsharedConnection {

    /** dbus-java makes max(500, this) / 500 connect attempts, 500 ms apart. */
    private static final int CONNECT_RETRY_WINDOW_MILLIS = 500;

    private UnsharedConnection() {
    }

    /**
     * Connects to {@code address}; blocks (the caller bounds it).
     *
     * @param lost       told why, when the connection fails or the bus closes it
     * @param closedByUs told when the connection was closed by this process
     */
    static DBusConnection open(String address, Consumer<String> lost, Runnable closedByUs) throws DBusException {
        return DBusConnectionBuilder.forAddress(address)
                .withShared(false)
                .withDisconnectCallback(new IDisconnectCallback() {
                    @Override
                    public void disconnectOnError(IOException e) {
                        lost.accept("connection error: " + CallFailure.describe(e));
                    }

                    @Override
                    public void clientDisconnect() {
                        lost.accept("the bus closed the connection");
                    }

                    @Override
                    public void requestedDisconnect(Integer connectionId) {
                        closedByUs.run();
                    }
                })
                .transportConfig()
                    // Not a timeout but a retry window: dbus-java retries connect() every 500 ms until
                    // it elapses (default 10 s). Reconnecting is our job; fail after one attempt.
                    .withTimeout(CONNECT_RETRY_WINDOW_MILLIS)
                    .back()
                .receivingThreadConfig()
                    .withSignalThreadCount(1)
                    .withMethodCallThreadCount(1)
                    .connectionConfig()
                .build();
    }
}
