package io.iocagent.systemd;

import io.iocagent.dbus.Connection;
import io.iocagent.dbus.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link UnitQuery} over a lean {@link Connection}: the way {@code systemctl} asks, for commands
 * that live a fraction of a second. It talks to the manager's private socket where the caller may
 * (root for PID 1; the owner for a user manager), so no bus daemon relays the calls, else to the
 * bus; it subscribes to nothing. A listing is one {@code ListUnitsByPatterns}; a state is one
 * {@code Properties.Get} per property asked for ({@code GetUnitFileState} for the unit file state,
 * which loads nothing), all pipelined in one round trip. Not thread-safe.
 */
public final class WireUnitQuery implements UnitQuery {

    static final String MANAGER_PATH = "/org/freedesktop/systemd1";
    static final String MANAGER_INTERFACE = "org.freedesktop.systemd1.Manager";
    private static final String UNIT_PATH_PREFIX = "/org/freedesktop/systemd1/unit/";
    private static final String PROPERTIES = "org.freedesktop.DBus.Properties";

    private final Connection connection;
    private final ManagerEndpoint endpoint;

    private WireUnitQuery(Connection connection, ManagerEndpoint endpoint) {
        this.connection = connection;
        this.endpoint = endpoint;
    }

    /**
     * Connects to {@code manager}: its private socket when {@code euid} may use it and it answers,
     * else its bus.
     *
     * @param euid the caller's effective uid
     * @throws SystemdException {@code BUS_UNREACHABLE} when neither can be reached
     * @throws IllegalArgumentException when the bus address is not a {@code unix:path=} address
     *                                  (the caller may use {@link SystemdBus} for those)
     */
    public static WireUnitQuery connect(ManagerAddress manager, long euid, Duration timeout) {
        Path bus = socketPath(manager.busAddress()).orElseThrow(() -> new IllegalArgumentException(
                "not a unix:path= D-Bus address: " + manager.busAddress()));
        if ((manager.userManager() || euid == 0) && Files.exists(manager.privateSocket())) {
            try {
                return new WireUnitQuery(Connection.open(manager.privateSocket(), euid, false, null, timeout),
                        new ManagerEndpoint("unix:path=" + manager.privateSocket(), manager.userManager(), timeout));
            } catch (IOException e) {
                // not ours to use after all (a sandbox, another owner): the bus serves the same API
            }
        }
        return openBus(bus, euid, new ManagerEndpoint(manager.busAddress(), manager.userManager(), timeout));
    }

    /**
     * Connects to the bus at {@code busAddress} only, never to the manager's private socket: for
     * the agent's model, whose view of systemd is the bus's (the one its signals come through).
     *
     * @throws SystemdException {@code BUS_UNREACHABLE} when the bus cannot be reached
     * @throws IllegalArgumentException when the address is not a {@code unix:path=} address
     */
    public static WireUnitQuery onBus(String busAddress, Duration timeout) {
        Path bus = socketPath(busAddress).orElseThrow(() -> new IllegalArgumentException(
                "not a unix:path= D-Bus address: " + busAddress));
        return openBus(bus, uid(), ManagerEndpoint.of(busAddress, timeout));
    }

    /** This process's user id, as the D-Bus {@code EXTERNAL} mechanism names it. */
    private static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return new com.sun.security.auth.module.UnixSystem().getUid();
        }
    }

    private static WireUnitQuery openBus(Path bus, long euid, ManagerEndpoint endpoint) {
        try {
            return new WireUnitQuery(Connection.open(bus, euid, true, "org.freedesktop.systemd1",
                    endpoint.callTimeout()), endpoint);
        } catch (IOException e) {
            throw endpoint.explain(Action.read("connect", ""), new CallFailure(
                    e instanceof Connection.TimeoutException ? CallFailure.Kind.TIMEOUT : CallFailure.Kind.CONNECT_FAILED,
                    null, CallFailure.describe(e), e));
        }
    }

    /** The socket of the first {@code unix:path=} entry of a D-Bus address, unescaped; empty when it has none. */
    public static Optional<Path> socketPath(String address) {
        for (String entry : address.split(";")) {
            if (!entry.startsWith("unix:")) {
                continue;
            }
            for (String pair : entry.substring("unix:".length()).split(",")) {
                if (pair.startsWith("path=")) {
                    return Optional.of(Path.of(unescape(pair.substring("path=".length()))));
                }
            }
        }
        return Optional.empty();
    }

    private static String unescape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()) {
                out.append((char) Integer.parseInt(value.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The connection, for {@link WireUnitControl}'s jobs on the same socket. */
    Connection connection() {
        return connection;
    }

    ManagerEndpoint endpoint() {
        return endpoint;
    }

    /** The socket this query talks on (the private socket or the bus). */
    public Path socket() {
        return connection.socket();
    }

    @Override
    public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
        String pattern = UnitName.instancePattern(templatePrefix);
        Message reply = call(Action.read("list the units matching", pattern), List.of(connection.newCall(MANAGER_PATH,
                MANAGER_INTERFACE, "ListUnitsByPatterns", "asas", List.of(), List.of(pattern)))).get(0);
        Map<UnitName, UnitSummary> units = new TreeMap<>();
        for (Object entry : (List<?>) reply.body().get(0)) {
            List<?> f = (List<?>) entry; // (ssssssouso): name, description, load, active, sub, following, path, job id, job type, job path
            UnitName.parse(templatePrefix, (String) f.get(0)).ifPresent(u -> units.put(u,
                    new UnitSummary(u, (String) f.get(1), (String) f.get(2), (String) f.get(3), (String) f.get(4),
                            (String) f.get(8))));
        }
        return Collections.unmodifiableMap(units);
    }

    @Override
    public Map<UnitName, UnitState> states(Collection<UnitName> units, Set<UnitProperty> properties) {
        List<UnitName> distinct = List.copyOf(new LinkedHashSet<>(units));
        List<UnitProperty> asked = List.copyOf(properties);
        List<Connection.Call> calls = new ArrayList<>(distinct.size() * asked.size());
        for (UnitName unit : distinct) {
            for (UnitProperty p : asked) {
                calls.add(p == UnitProperty.UNIT_FILE_STATE
                        ? connection.newCall(MANAGER_PATH, MANAGER_INTERFACE, "GetUnitFileState", "s", unit.toString())
                        : connection.newCall(unitPath(unit.toString()), PROPERTIES, "Get", "ss", p.iface(), p.member()));
            }
        }
        Action action = distinct.size() == 1 ? Action.read("read the state of", distinct.get(0))
                : Action.read("read the state of", distinct.isEmpty() ? "no units"
                        : distinct.get(0) + " and " + (distinct.size() - 1) + " more units");
        List<Message> replies = calls.isEmpty() ? List.of() : send(action, calls);
        Map<UnitName, UnitState> states = new LinkedHashMap<>();
        int i = 0;
        for (UnitName unit : distinct) {
            Map<UnitProperty, Object> values = new EnumMap<>(UnitProperty.class);
            for (UnitProperty p : asked) {
                Message reply = replies.get(i++);
                if (reply.type() == Message.ERROR) {
                    if (p == UnitProperty.UNIT_FILE_STATE) {
                        values.put(p, ""); // no unit file: systemd's own property says "" too
                        continue;
                    }
                    throw endpoint.explain(Action.read("read the state of", unit), remoteError(reply));
                }
                values.put(p, reply.body().isEmpty() ? null : reply.body().get(0));
            }
            states.put(unit, state(unit, values));
        }
        return Collections.unmodifiableMap(states);
    }

    @Override
    public int calls() {
        return connection.calls();
    }

    @Override
    public void close() {
        connection.close();
    }

    private static UnitState state(UnitName unit, Map<UnitProperty, Object> v) {
        return new UnitState(unit,
                text(v, UnitProperty.LOAD_STATE),
                text(v, UnitProperty.ACTIVE_STATE),
                text(v, UnitProperty.SUB_STATE),
                text(v, UnitProperty.RESULT),
                (int) unsigned(v, UnitProperty.MAIN_PID).orElse(0),
                unsigned(v, UnitProperty.RESTARTS).orElse(0),
                timestamp(v, UnitProperty.EXEC_MAIN_START),
                timestamp(v, UnitProperty.ACTIVE_ENTER),
                text(v, UnitProperty.CONTROL_GROUP),
                unsigned(v, UnitProperty.CPU_USAGE),
                unsigned(v, UnitProperty.MEMORY_CURRENT),
                text(v, UnitProperty.FRAGMENT_PATH),
                v.get(UnitProperty.DROP_IN_PATHS) instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(),
                v.containsKey(UnitProperty.LOADED_UNIT_FILE_STATE) ? text(v, UnitProperty.LOADED_UNIT_FILE_STATE)
                        : text(v, UnitProperty.UNIT_FILE_STATE));
    }

    private static String text(Map<UnitProperty, Object> v, UnitProperty p) {
        return v.get(p) instanceof String s ? s : "";
    }

    /** A u or t value; empty when absent or UINT64_MAX (systemd's "not set"). */
    private static OptionalLong unsigned(Map<UnitProperty, Object> v, UnitProperty p) {
        Object value = v.get(p);
        if (value instanceof Integer i) {
            return OptionalLong.of(Integer.toUnsignedLong(i));
        }
        if (value instanceof Long l) {
            return l == UnitState.UINT64_MAX_AS_LONG ? OptionalLong.empty() : OptionalLong.of(l);
        }
        return OptionalLong.empty();
    }

    private static Optional<Instant> timestamp(Map<UnitProperty, Object> v, UnitProperty p) {
        OptionalLong us = unsigned(v, p);
        if (us.isEmpty() || us.getAsLong() == 0) {
            return Optional.empty();
        }
        long micros = us.getAsLong();
        return Optional.of(Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000));
    }

    /**
     * The object path of a unit, escaped as sd-bus's {@code bus_label_escape} does: every byte
     * outside {@code [A-Za-z0-9]} becomes {@code _} and two lower-case hex digits.
     */
    static String unitPath(String unit) {
        StringBuilder path = new StringBuilder(UNIT_PATH_PREFIX);
        for (byte b : unit.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
                path.append(c);
            } else {
                path.append('_').append(Character.forDigit((c >> 4) & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return path.toString();
    }

    private List<Message> call(Action action, List<Connection.Call> calls) {
        List<Message> replies = send(action, calls);
        for (Message m : replies) {
            if (m.type() == Message.ERROR) {
                throw endpoint.explain(action, remoteError(m));
            }
        }
        return replies;
    }

    private List<Message> send(Action action, List<Connection.Call> calls) {
        try {
            return connection.callAll(calls);
        } catch (Connection.TimeoutException e) {
            throw endpoint.explain(action, new CallFailure(CallFailure.Kind.TIMEOUT, null, e.getMessage(), e));
        } catch (IOException e) {
            throw endpoint.explain(action, new CallFailure(CallFailure.Kind.CONNECTION_LOST, null,
                    CallFailure.describe(e), e));
        }
    }

    static CallFailure remoteError(Message m) {
        return new CallFailure(CallFailure.Kind.REMOTE_ERROR, m.errorName(), m.firstString(), null);
    }
}
