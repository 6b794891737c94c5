package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.systemd.ActiveState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The fleet's counts as the manager MBean and {@code /metrics} read them off one snapshot, and what
 * an IOC's snapshot says of its unit: state known, up, uptime; and that neither can be changed
 * through what it was built from.
 */
class SnapshotTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    private static Snapshot of(boolean systemdConnected, IocSnapshot... iocs) {
        TreeMap<String, IocSnapshot> byName = new TreeMap<>();
        for (IocSnapshot i : iocs) {
            byName.put(i.name(), i);
        }
        return new Snapshot(NOW, "local", "/conf", systemdConnected, byName, Duration.ofMillis(3), 0);
    }

    private static Snapshot fleet(boolean systemdConnected) {
        return of(systemdConnected, IocSnapshots.running("r1"), IocSnapshots.running("r2"),
                IocSnapshots.withState("crash", "active", Readiness.CRASH_LOOP),
                IocSnapshots.withState("reloading", "reloading", Readiness.READY),
                IocSnapshots.withState("down", "failed", Readiness.FAILED),
                IocSnapshots.withState("idle", "inactive", Readiness.STOPPED));
    }

    @Test
    void countsAreByReadinessWithEveryReadinessPresentAndZerosIncluded() {
        Snapshot s = fleet(true);
        assertEquals(3, s.count(Readiness.READY), "r1, r2 and reloading are READY");
        assertEquals(1, s.count(Readiness.CRASH_LOOP));
        assertEquals(0, s.count(Readiness.HUNG));

        Map<Readiness, Long> counts = s.readinessCounts();
        assertEquals(List.of(Readiness.values()), new ArrayList<>(counts.keySet()), "every readiness, in declaration order");
        Map<Readiness, Long> expected = new HashMap<>();
        for (Readiness r : Readiness.values()) {
            expected.put(r, s.count(r));
        }
        assertEquals(expected, counts, "ReadinessCounts agrees with each count");
        assertEquals(0L, counts.get(Readiness.UNKNOWN), "a readiness no IOC has is a zero, not missing");
        assertEquals(s.iocs().size(), counts.values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void theActiveCountCountsActiveUnitsOnlyAndIsUnknownWithoutSystemd() {
        assertEquals(3, fleet(true).activeCount(), "r1, r2, crash: reloading, failed and inactive are not active");
        assertEquals(-1, fleet(false).activeCount(), "unknown while systemd is unreachable, not 0");
        assertEquals(0, of(true).activeCount());
        assertEquals(0, of(true).count(Readiness.READY));
    }

    @Test
    void theEmptyModelIsDisconnectedAndHoldsNothing() {
        Snapshot empty = Snapshot.empty("system", "/etc/procServ.d");
        assertEquals(Instant.EPOCH, empty.takenAt());
        assertEquals("system", empty.mode());
        assertEquals("/etc/procServ.d", empty.confDirectory());
        assertFalse(empty.systemdConnected());
        assertTrue(empty.iocs().isEmpty());
        assertEquals(Duration.ZERO, empty.refreshDuration());
        assertEquals(0, empty.refreshErrors());
    }

    @Test
    void theIocsAreSortedByNameAndCannotBeChangedThroughTheSnapshotOrItsSource() {
        TreeMap<String, IocSnapshot> source = new TreeMap<>(Map.of("b", IocSnapshots.running("b"),
                "a", IocSnapshots.running("a")));
        Snapshot s = new Snapshot(NOW, "local", "/conf", true, source, Duration.ZERO, 0);
        source.put("c", IocSnapshots.running("c"));
        assertEquals(List.of("a", "b"), new ArrayList<>(s.iocs().keySet()), "a later change of the source map is not seen");
        assertThrows(UnsupportedOperationException.class, () -> s.iocs().remove("a"));
    }

    @Test
    void anIocSnapshotSaysWhetherItsStateIsKnownAndItsUnitUp() {
        IocSnapshot running = IocSnapshots.running("a");
        assertEquals("active", running.activeState());
        assertTrue(running.stateKnown());
        assertTrue(running.up());

        IocSnapshot reloading = IocSnapshots.withState("a", "reloading", Readiness.READY);
        assertTrue(reloading.up(), "a reloading unit's processes run");
        assertTrue(reloading.stateKnown());

        IocSnapshot failed = IocSnapshots.withState("a", "failed", Readiness.FAILED);
        assertFalse(failed.up());
        assertTrue(failed.stateKnown());

        IocSnapshot unknown = IocSnapshots.withState("a", "no-such-state", Readiness.UNKNOWN);
        assertEquals(ActiveState.UNKNOWN, unknown.active());
        assertEquals("unknown", unknown.activeState());
        assertFalse(unknown.stateKnown(), "a word this version does not know is not a known state");
        assertFalse(unknown.up());
    }

    @Test
    void uptimeCountsWholeSecondsSinceTheStartAndIsMinusOneWhenNotActive() {
        IocSnapshot running = IocSnapshots.running("a"); // started 09:00:00
        assertEquals(3600, running.uptimeSeconds(NOW));
        assertEquals(3600, running.uptimeSeconds(NOW.plusMillis(999)), "whole seconds");
        assertEquals(0, running.uptimeSeconds(Instant.parse("2026-12-03T08:59:00Z")),
                "a clock behind the start time gives 0, never a negative uptime");
        assertEquals(-1, IocSnapshots.withState("a", "inactive", Readiness.STOPPED).uptimeSeconds(NOW));
    }

    @Test
    void anIocSnapshotFillsWhatWasNotGivenAndCopiesItsCollections() {
        List<ConsoleClientInfo> clients = new ArrayList<>();
        Map<String, Long> exits = new HashMap<>(Map.of("SIGSEGV", 2L));
        IocSnapshot i = new IocSnapshot("a", true, null, "dead", false, Readiness.UNKNOWN, -1, -1, Double.NaN, -1, 0, 0,
                null, "/run/a", "ABSENT", clients, -1, -1, "/c", "/l", "./st.cmd", "/w", "", null, exits, null, null, null);
        assertEquals(ActiveState.UNKNOWN, i.active(), "no state given reads as unknown");
        assertEquals(IocEndpoints.NONE, i.endpoints());
        assertEquals(List.of(), i.orphanPids());
        assertEquals(Responsiveness.UNPROBED, i.responsiveness());
        exits.put("SIGABRT", 1L);
        assertEquals(Map.of("SIGSEGV", 2L), i.childExits(), "a later change of the given map is not seen");
        assertThrows(UnsupportedOperationException.class, () -> i.consoleClients().add(null));

        List<Integer> orphans = new ArrayList<>(List.of(7));
        IocSnapshot withOrphans = new IocSnapshot("a", true, ActiveState.ACTIVE, "running", true, Readiness.READY,
                1, 2, 0, 0, 0, 0, NOW, "/run/a", "LISTEN", List.of(), 0, 0, "/c", "/l", "./st.cmd", "/w", "", null,
                Map.of(), IocEndpoints.NONE, orphans);
        orphans.add(8);
        assertEquals(List.of(7), withOrphans.orphanPids());
        assertEquals(Responsiveness.UNPROBED, withOrphans.responsiveness());
    }

    @Test
    void responsivenessIsOneZeroOrMinusOneForTheAttributeAndTheMetric() {
        assertEquals(1, new Responsiveness(Responsiveness.State.RESPONSIVE, 7, 0.01).flag());
        assertEquals(0, new Responsiveness(Responsiveness.State.UNRESPONSIVE, 7, 2.0).flag());
        assertEquals(-1, Responsiveness.UNPROBED.flag());
    }
}
