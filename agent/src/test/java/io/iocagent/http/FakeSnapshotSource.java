package io.iocagent.http;

import io.iocagent.systemd.ActiveState;
import io.iocagent.model.ConsoleClientInfo;
import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Snapshot;
import io.iocagent.model.SnapshotSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/** A {@link SnapshotSource} the test sets by hand, plus ready-made IOC snapshots. */
final class FakeSnapshotSource implements SnapshotSource {

    private final List<BiConsumer<Snapshot, Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot current;

    FakeSnapshotSource(IocSnapshot... iocs) {
        current = snapshot(iocs);
    }

    @Override
    public Snapshot current() {
        return current;
    }

    @Override
    public void addListener(BiConsumer<Snapshot, Snapshot> listener) {
        listeners.add(listener);
    }

    /** Publishes a snapshot of exactly these IOCs, calling the listeners like the refresher does. */
    void publish(IocSnapshot... iocs) {
        Snapshot previous = current;
        current = snapshot(iocs);
        listeners.forEach(l -> l.accept(previous, current));
    }

    /** A poll that changed nothing: a fresher snapshot replaces the current one, no listener is called. */
    void quietPoll(Instant takenAt, Duration refreshDuration) {
        Snapshot s = current;
        current = new Snapshot(takenAt, s.mode(), s.confDirectory(), s.systemdConnected(), s.iocs(), refreshDuration,
                s.refreshErrors());
    }

    static Snapshot snapshot(IocSnapshot... iocs) {
        TreeMap<String, IocSnapshot> map = new TreeMap<>();
        for (IocSnapshot i : iocs) {
            map.put(i.name(), i);
        }
        return new Snapshot(Instant.parse("2026-11-24T10:00:00Z"), "system", "/etc/procServ.d", true, map,
                Duration.ofMillis(250), 2);
    }

    /** Active, ready, listening, one console client, known usage, answering the hang probe in 1.5 ms. */
    static IocSnapshot running(String name) {
        return new IocSnapshot(name, true, ActiveState.ACTIVE, "running", true, Readiness.READY, 1200, 1201, 12.5,
                50_000_000L, 1, 3, Instant.parse("2026-11-24T09:00:00Z"), "/run/procserv/" + name + "/control",
                "LISTEN", List.of(new ConsoleClientInfo(4242, "op", "socat")), 0, 5,
                "/etc/procServ.d/" + name + ".conf", "/var/log/procServ/" + name + ".log",
                "./st.cmd", "/opt/iocs/" + name + "/iocBoot/ioc" + name, "", null, java.util.Map.of(),
                io.iocagent.model.IocEndpoints.NONE, List.of(),
                new io.iocagent.model.Responsiveness(io.iocagent.model.Responsiveness.State.RESPONSIVE, 1201, 0.0015));
    }

    /** Inactive, with the model's "unknown" markers: memory -1, CPU NaN, no start time. */
    static IocSnapshot stopped(String name) {
        return new IocSnapshot(name, true, ActiveState.INACTIVE, "dead", false, Readiness.STOPPED, -1, -1, Double.NaN,
                -1L, 0, 0, null, "/run/procserv/" + name + "/control", "ABSENT", List.of(), -1, -1,
                "/etc/procServ.d/" + name + ".conf", "/var/log/procServ/" + name + ".log",
                "./st.cmd", "/opt/iocs/" + name + "/iocBoot/ioc" + name, "", null, java.util.Map.of());
    }
}
