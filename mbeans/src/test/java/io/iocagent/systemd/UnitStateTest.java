package io.iocagent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.types.Variant;
import org.junit.jupiter.api.Test;

class UnitStateTest {

    private static final UnitName UNIT = UnitName.of("epics-@", "motor1");
    private static final UInt64 UINT64_MAX = new UInt64(new BigInteger("18446744073709551615"));

    @Test
    void uint64MaxMeansNotSetAndMapsToEmpty() {
        assertEquals(-1L, UINT64_MAX.longValue(), "what dbus-java hands us for UINT64_MAX");

        UnitState state = UnitState.fromProperties(UNIT, Map.of(), Map.of(
                "CPUUsageNSec", new Variant<>(UINT64_MAX),
                "MemoryCurrent", new Variant<>(UINT64_MAX),
                "ExecMainStartTimestamp", new Variant<>(UINT64_MAX)));

        assertEquals(OptionalLong.empty(), state.cpuNanos());
        assertEquals(OptionalLong.empty(), state.memoryBytes());
        assertEquals(Optional.empty(), state.execMainStartTimestamp());
    }

    @Test
    void accountingValuesAreKeptWhenSet() {
        UnitState state = UnitState.fromProperties(UNIT, Map.of(), Map.of(
                "CPUUsageNSec", new Variant<>(new UInt64(123_456_789L)),
                "MemoryCurrent", new Variant<>(new UInt64(0))));

        assertEquals(OptionalLong.of(123_456_789L), state.cpuNanos());
        assertEquals(OptionalLong.of(0), state.memoryBytes(), "0 bytes is a value, not 'unset'");
    }

    @Test
    void timestampsAreMicrosecondsSinceTheEpochAndZeroMeansNever() {
        UnitState state = UnitState.fromProperties(UNIT,
                Map.of("ActiveEnterTimestamp", new Variant<>(new UInt64(0))),
                Map.of("ExecMainStartTimestamp", new Variant<>(new UInt64(1_790_000_000_123_456L))));

        assertEquals(Optional.of(Instant.parse("2026-09-21T14:13:20.123456Z")), state.execMainStartTimestamp());
        assertEquals(Optional.empty(), state.activeEnterTimestamp());
    }

    @Test
    void readsUnitAndServiceProperties() {
        UnitState state = UnitState.fromProperties(UNIT,
                Map.of("LoadState", new Variant<>("loaded"),
                        "ActiveState", new Variant<>("active"),
                        "SubState", new Variant<>("running"),
                        "FragmentPath", new Variant<>("/etc/systemd/system/epics-@.service"),
                        "DropInPaths", new Variant<>(List.of("/etc/systemd/system/epics-@.service.d/x.conf"), "as"),
                        "UnitFileState", new Variant<>("enabled")),
                Map.of("MainPID", new Variant<>(new UInt32(4242)),
                        "NRestarts", new Variant<>(new UInt32(3)),
                        "Result", new Variant<>("success"),
                        "ControlGroup", new Variant<>("/system.slice/system-epics\\x2d.slice/epics-@motor1.service")));

        assertEquals("loaded", state.loadState());
        assertTrue(state.isActive());
        assertEquals("running", state.subState());
        assertEquals(4242, state.mainPid());
        assertEquals(3, state.restarts());
        assertEquals("success", state.serviceResult());
        assertEquals("/etc/systemd/system/epics-@.service", state.fragmentPath());
        assertEquals(List.of("/etc/systemd/system/epics-@.service.d/x.conf"), state.dropInPaths());
        assertEquals("enabled", state.unitFileState());
        assertTrue(state.controlGroup().endsWith("epics-@motor1.service"));
    }

    @Test
    void aUnitWithoutPropertiesIsStillASensibleState() {
        UnitState state = UnitState.fromProperties(UNIT, Map.of("LoadState", new Variant<>("not-found")), Map.of());

        assertEquals("not-found", state.loadState());
        assertFalse(state.isActive());
        assertEquals(0, state.mainPid());
        assertEquals(0, state.restarts());
        assertEquals("", state.controlGroup());
        assertEquals(List.of(), state.dropInPaths());
        assertEquals(OptionalLong.empty(), state.cpuNanos());
    }
}
