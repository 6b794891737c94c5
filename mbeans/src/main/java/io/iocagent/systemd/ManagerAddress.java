package io.iocagent.systemd;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where a systemd manager can be reached — the one rule for it, used by the agent's long-lived
 * {@link SystemdBus} and by the command line's short-lived read-only queries alike.
 *
 * <ul>
 *   <li>PID 1 (system mode): the system bus, {@code $DBUS_SYSTEM_BUS_ADDRESS} or
 *       {@value #DEFAULT_SYSTEM_BUS_ADDRESS}; its private socket is {@code /run/systemd/private}
 *       (root only).</li>
 *   <li>A user manager (local mode): {@code unix:path=$XDG_RUNTIME_DIR/bus}, the runtime
 *       directory being {@code /run/user/<uid>} when {@code XDG_RUNTIME_DIR} is unset or blank;
 *       its private socket is {@code <runtime dir>/systemd/private}.</li>
 * </ul>
 * The private socket is what {@code systemctl} itself uses where it may (sd-bus's
 * {@code bus_connect_system_systemd}/{@code bus_connect_user_systemd}): a peer-to-peer D-Bus
 * connection to the manager, with no bus daemon in between and no {@code Hello}.
 *
 * @param userManager   true for a user manager, false for PID 1
 * @param busAddress    the D-Bus address of the bus the manager is on
 * @param privateSocket the manager's private socket
 */
public record ManagerAddress(boolean userManager, String busAddress, Path privateSocket) {

    /** The system bus address when {@code DBUS_SYSTEM_BUS_ADDRESS} is not set. */
    public static final String DEFAULT_SYSTEM_BUS_ADDRESS = "unix:path=/run/dbus/system_bus_socket";

    /** PID 1's private socket. */
    public static final Path SYSTEM_PRIVATE_SOCKET = Path.of("/run/systemd/private");

    public ManagerAddress {
        Objects.requireNonNull(busAddress, "busAddress");
        Objects.requireNonNull(privateSocket, "privateSocket");
    }

    /** PID 1's manager, with the bus address taken from {@code env}. */
    public static ManagerAddress system(Map<String, String> env) {
        String address = env.get("DBUS_SYSTEM_BUS_ADDRESS");
        return new ManagerAddress(false, address == null || address.isBlank() ? DEFAULT_SYSTEM_BUS_ADDRESS : address,
                SYSTEM_PRIVATE_SOCKET);
    }

    /** The user manager of {@code uid}, its runtime directory taken from {@code env}. */
    public static ManagerAddress user(Map<String, String> env, long uid) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        Path dir = runtime == null || runtime.isBlank() ? Path.of("/run/user", Long.toString(uid)) : Path.of(runtime);
        return new ManagerAddress(true, "unix:path=" + dir.resolve("bus"), dir.resolve("systemd").resolve("private"));
    }
}
