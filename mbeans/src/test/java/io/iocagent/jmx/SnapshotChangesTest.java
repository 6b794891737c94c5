package io.iocagent.jmx;

import io.iocagent.systemd.ActiveState;
import static io.iocagent.jmx.FakeSnapshotSource.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.jmx.SnapshotChanges.AttributeChange;
import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Snapshot;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SnapshotChangesTest {

    private final FakeSnapshotSource source = new FakeSnapshotSource();

    @Test
    void activeStateAndReadinessChangesAreReportedPerIocWithOldAndNewValues() {
        Snapshot before = source.publish(ioc("a", "inactive", Readiness.STOPPED), ioc("b", "active", Readiness.READY));
        Snapshot after = source.publish(ioc("a", "active", Readiness.STARTING), ioc("b", "active", Readiness.CRASH_LOOP));

        assertEquals(List.of(
                new AttributeChange("a", "ActiveState", "inactive", "active"),
                new AttributeChange("a", "Readiness", "STOPPED", "STARTING"),
                new AttributeChange("b", "Readiness", "READY", "CRASH_LOOP")),
                SnapshotChanges.between(before, after).changes());
    }

    @Test
    void changesOfOtherAttributesAreNotNotified() {
        IocSnapshot a = ioc("a", "active", Readiness.READY);
        IocSnapshot busier = new IocSnapshot("a", true, ActiveState.ACTIVE, "running", false, Readiness.READY, 1, 2, 99.0, 1L << 30,
                3, 4, a.startedAt(), a.socketPath(), "LISTEN", List.of(), 2, 5, a.confPath(), a.logPath(), a.command(),
                a.workingDirectory(), "ERROR: lost a device", null, java.util.Map.of());
        Snapshot before = source.publish(a);
        Snapshot after = source.publish(busier);

        SnapshotChanges changes = SnapshotChanges.between(before, after);

        assertTrue(changes.changes().isEmpty(), changes::toString);
        assertTrue(changes.added().isEmpty() && changes.removed().isEmpty());
    }

    @Test
    void eachNewChildExitIsNotifiedEvenWithTheSameReason() {
        IocSnapshot a = ioc("a", "active", Readiness.READY);
        Snapshot none = source.publish(a);
        Snapshot first = source.publish(exited(a, 100));
        Snapshot same = source.publish(exited(a, 100));
        Snapshot second = source.publish(exited(a, 200));

        assertEquals(List.of(new AttributeChange("a", "LastExitReason", "", "signal_SEGV")),
                SnapshotChanges.between(none, first).changes());
        assertTrue(SnapshotChanges.between(first, same).changes().isEmpty(), "the same exit again is not news");
        assertEquals(List.of(new AttributeChange("a", "LastExitReason", "signal_SEGV", "signal_SEGV")),
                SnapshotChanges.between(same, second).changes());
    }

    private static IocSnapshot exited(IocSnapshot a, int pid) {
        return new IocSnapshot(a.name(), a.installed(), a.active(), a.subState(), a.enabled(), a.readiness(),
                a.mainPid(), a.childPid(), a.cpuSeconds(), a.memoryBytes(), a.serviceRestarts(), a.childRestarts(),
                a.startedAt(), a.socketPath(), a.socketState(), a.consoleClients(), a.recvQueue(), a.sendQueue(),
                a.confPath(), a.logPath(), a.command(), a.workingDirectory(), a.lastError(),
                new io.iocagent.crash.ChildExit(pid, -1, 11, java.time.Instant.ofEpochSecond(pid)), java.util.Map.of());
    }

    @Test
    void appearingAndDisappearingIocsAreAddedAndRemovedNotChanged() {
        Snapshot before = source.publish(ioc("gone", "active", Readiness.READY), ioc("stays", "active", Readiness.READY));
        Snapshot after = source.publish(ioc("stays", "active", Readiness.READY), ioc("new", "inactive", Readiness.STOPPED));

        SnapshotChanges changes = SnapshotChanges.between(before, after);

        assertEquals(Set.of("new"), changes.added());
        assertEquals(Set.of("gone"), changes.removed());
        assertTrue(changes.changes().isEmpty());
    }

    @Test
    void withoutAnEarlierSnapshotEverythingIsAddedAndNothingNotified() {
        Snapshot first = source.publish(ioc("a", "active", Readiness.READY), ioc("b", "failed", Readiness.FAILED));

        SnapshotChanges changes = SnapshotChanges.between(null, first);

        assertEquals(Set.of("a", "b"), changes.added());
        assertTrue(changes.removed().isEmpty());
        assertTrue(changes.changes().isEmpty());
    }
}
