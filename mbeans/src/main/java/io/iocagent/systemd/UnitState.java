package io.iocagent.systemd;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import org.freedesktop.dbus.types.Variant;

/**
 * What systemd reports about one IOC unit at one moment: properties of the interfaces
 * {@code org.freedesktop.systemd1.Unit} and {@code org.freedesktop.systemd1.Service}.
 *
 * <p>A unit that systemd cannot find is still described: {@code loadState} is {@code not-found},
 * {@code activeState} {@code inactive}, numbers are 0 and optionals empty. Strings are never null
 * (empty when systemd has no value).
 *
 * <p>"Not set" handling follows systemd: timestamps are CLOCK_REALTIME microseconds since the epoch
 * and 0 until the event happened; counters such as {@code CPUUsageNSec} and {@code MemoryCurrent}
 * are {@code UINT64_MAX} when accounting is off or unavailable (see {@code org.freedesktop.systemd1(5)}).
 * Both map to empty here, never to a number.
 *
 * @param unit                   the unit
 * @param loadState              {@code loaded}, {@code not-found}, {@code bad-setting}, {@code error}, {@code masked}
 * @param activeState            {@code active}, {@code activating}, {@code deactivating}, {@code inactive}, {@code failed}, …
 * @param subState               type-specific state: {@code running}, {@code dead}, {@code auto-restart}, …
 * @param serviceResult          {@code Result} of the service: {@code success}, {@code exit-code}, {@code signal}, …
 * @param mainPid                {@code MainPID}, 0 when there is no main process
 * @param restarts               {@code NRestarts}: automatic restarts since the unit was last started by hand
 * @param execMainStartTimestamp when the main process was last started
 * @param activeEnterTimestamp   when the unit last entered {@code active}
 * @param controlGroup           cgroup path, empty when not running
 * @param cpuNanos               {@code CPUUsageNSec}, empty unless CPU accounting is on
 * @param memoryBytes            {@code MemoryCurrent}, empty unless memory accounting is on
 * @param fragmentPath           the unit file systemd loaded, empty if none
 * @param dropInPaths            drop-in files applied, in order
 * @param unitFileState          {@code enabled}, {@code disabled}, {@code linked}, {@code static}, …; empty if unknown
 */
public record UnitState(
        UnitName unit,
        String loadState,
        String activeState,
        String subState,
        String serviceResult,
        int mainPid,
        long restarts,
        Optional<Instant> execMainStartTimestamp,
        Optional<Instant> activeEnterTimestamp,
        String controlGroup,
        OptionalLong cpuNanos,
        OptionalLong memoryBytes,
        String fragmentPath,
        List<String> dropInPaths,
        String unitFileState) {

    /** {@code UINT64_MAX} as dbus-java's {@code UInt64.longValue()} returns it. */
    static final long UINT64_MAX_AS_LONG = -1L;

    public UnitState {
        Objects.requireNonNull(unit, "unit");
        loadState = Objects.requireNonNullElse(loadState, "");
        activeState = Objects.requireNonNullElse(activeState, "");
        subState = Objects.requireNonNullElse(subState, "");
        serviceResult = Objects.requireNonNullElse(serviceResult, "");
        Objects.requireNonNull(execMainStartTimestamp, "execMainStartTimestamp");
        Objects.requireNonNull(activeEnterTimestamp, "activeEnterTimestamp");
        controlGroup = Objects.requireNonNullElse(controlGroup, "");
        Objects.requireNonNull(cpuNanos, "cpuNanos");
        Objects.requireNonNull(memoryBytes, "memoryBytes");
        fragmentPath = Objects.requireNonNullElse(fragmentPath, "");
        dropInPaths = List.copyOf(Objects.requireNonNullElse(dropInPaths, List.of()));
        unitFileState = Objects.requireNonNullElse(unitFileState, "");
    }

    /** {@code activeState}, typed. */
    public ActiveState active() {
        return ActiveState.of(activeState);
    }

    /** True when {@code activeState} is {@code active}. */
    public boolean isActive() {
        return active() == ActiveState.ACTIVE;
    }

    /**
     * True while the unit is up or changing state ({@code active}, {@code activating},
     * {@code deactivating}): the states in which its configuration must not be replaced or removed.
     */
    public boolean isRunning() {
        ActiveState a = active();
        return a == ActiveState.ACTIVE || a == ActiveState.ACTIVATING || a == ActiveState.DEACTIVATING;
    }

    /**
     * Builds a state from {@code GetAll} replies.
     *
     * @param unitProps    properties of {@code org.freedesktop.systemd1.Unit}
     * @param serviceProps properties of {@code org.freedesktop.systemd1.Service}; empty if unavailable
     */
    static UnitState fromProperties(UnitName unit, Map<String, Variant<?>> unitProps,
            Map<String, Variant<?>> serviceProps) {
        return new UnitState(
                unit,
                string(unitProps, "LoadState"),
                string(unitProps, "ActiveState"),
                string(unitProps, "SubState"),
                string(serviceProps, "Result"),
                (int) number(serviceProps, "MainPID").orElse(0),
                number(serviceProps, "NRestarts").orElse(0),
                timestamp(serviceProps, "ExecMainStartTimestamp"),
                timestamp(unitProps, "ActiveEnterTimestamp"),
                string(serviceProps, "ControlGroup"),
                number(serviceProps, "CPUUsageNSec"),
                number(serviceProps, "MemoryCurrent"),
                string(unitProps, "FragmentPath"),
                strings(unitProps, "DropInPaths"),
                string(unitProps, "UnitFileState"));
    }

    /**
     * A D-Bus unsigned number, empty when absent or {@code UINT64_MAX} (systemd's "not set";
     * dbus-java's {@code UInt64.longValue()} returns it as -1).
     */
    static OptionalLong number(Map<String, Variant<?>> props, String key) {
        Object value = value(props, key);
        if (!(value instanceof Number n)) {
            return OptionalLong.empty();
        }
        long v = n.longValue();
        return v == UINT64_MAX_AS_LONG ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** A systemd timestamp (µs since the epoch); 0 ("never") and {@code UINT64_MAX} map to empty. */
    static Optional<Instant> timestamp(Map<String, Variant<?>> props, String key) {
        OptionalLong micros = number(props, key);
        if (micros.isEmpty() || micros.getAsLong() == 0) {
            return Optional.empty();
        }
        long us = micros.getAsLong();
        return Optional.of(Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1_000));
    }

    private static String string(Map<String, Variant<?>> props, String key) {
        Object value = value(props, key);
        return value == null ? "" : value.toString();
    }

    private static List<String> strings(Map<String, Variant<?>> props, String key) {
        Object value = value(props, key);
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        if (value instanceof Object[] array) {
            return java.util.Arrays.stream(array).map(String::valueOf).toList();
        }
        return List.of();
    }

    private static Object value(Map<String, Variant<?>> props, String key) {
        Variant<?> variant = props.get(key);
        return variant == null ? null : variant.getValue();
    }
}
