package io.iocagent.jmx;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A {@link SnapshotSource} the test drives: {@link #publish} makes a snapshot current and calls the
 * listeners (old, new) on the calling thread, as the refresher does on its own. Also the refresh
 * hook of {@link Operations} ({@link #refresh}), which republishes the current IOCs with a new time.
 */
final class FakeSnapshotSource implements SnapshotSource {

    private final List<BiConsumer<Snapshot, Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger refreshes = new AtomicInteger();
    private volatile Snapshot current = Snapshot.empty("local", "/tmp/conf.d");

    @Override
    public Snapshot current() {
        return current;
    }

    @Override
    public void addListener(BiConsumer<Snapshot, Snapshot> listener) {
        listeners.add(listener);
    }

    /** Makes a snapshot of {@code iocs} current and tells the listeners. */
    synchronized Snapshot publish(IocSnapshot... iocs) {
        TreeMap<String, IocSnapshot> map = new TreeMap<>();
        for (IocSnapshot i : iocs) {
            map.put(i.name(), i);
        }
        Instant at = current.takenAt().equals(Instant.EPOCH) ? Instant.parse("2026-11-24T10:00:00Z")
                : current.takenAt().plusSeconds(1);
        Snapshot before = current;
        Snapshot after = new Snapshot(at, "local", "/tmp/conf.d", true, map, Duration.ofMillis(12), 0);
        current = after;
        listeners.forEach(l -> l.accept(before, after));
        return after;
    }

    /** The refresh hook: republishes the current IOCs. */
    void refresh() {
        refreshes.incrementAndGet();
        publish(current.iocs().values().toArray(IocSnapshot[]::new));
    }

    int refreshes() {
        return refreshes.get();
    }

    /** An installed IOC in the given states, with plausible facts. */
    static IocSnapshot ioc(String name, String activeState, Readiness readiness) {
        boolean active = activeState.equals("active");
        return new IocSnapshot(name, true, ActiveState.of(activeState), active ? "running" : "dead", true, readiness,
                active ? 4242 : -1, active ? 4243 : -1, active ? 1.5 : Double.NaN, active ? 10_485_760L : -1,
                0, 1, active ? Instant.parse("2026-11-24T09:00:00Z") : null, "/run/procserv/" + name + "/control",
                active ? "LISTEN" : "ABSENT",
                active ? List.of(new ConsoleClientInfo(77, "alice", "socat - UNIX:/run/x")) : List.of(),
                0, 5, "/tmp/conf.d/" + name + ".conf", "/tmp/log/" + name + ".log", "./st.cmd", "/opt/iocs/" + name, "", null, java.util.Map.of());
    }
}
