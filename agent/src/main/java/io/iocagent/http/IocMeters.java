package io.iocagent.http;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Snapshot;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MultiGauge.Row;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The per-IOC Prometheus series ({@code epics_ioc_*}), labelled {@code ioc} only (plus
 * {@code state} on the one-hot {@code epics_ioc_state}, and the descriptive labels of
 * {@code epics_ioc_info}). Values are copied from each snapshot when it changes, so a scrape only
 * renders; an IOC that leaves the snapshot leaves every family on the next scrape (MultiGauge
 * drops rows not re-registered, {@link CounterFamily} removes its counters). Unknown values
 * (memory -1, no start time, CPU NaN) are absent series, not sentinel numbers.
 *
 * <p>{@link #update} is synchronised; call it from any thread.
 */
final class IocMeters {

    /** systemd's ActiveState values (org.freedesktop.systemd1(5)); each IOC has one row per value. */
    static final List<String> STATES = List.of("active", "activating", "deactivating", "inactive", "failed", "reloading");

    private record GaugeFamily(MultiGauge gauge, Function<IocSnapshot, List<Row<?>>> rows) {
    }

    private final List<GaugeFamily> gauges = new ArrayList<>();
    private final List<CounterFamily> counters = new ArrayList<>();
    private String mode = "";

    IocMeters(MeterRegistry registry) {
        gauge(registry, "epics.ioc.up", "1 while the IOC's unit runs (ActiveState active or reloading), else 0", null,
                i -> one(i, flag(i.activeState().equals("active") || i.activeState().equals("reloading"))));
        gauge(registry, "epics.ioc.state", "The unit's systemd ActiveState, one-hot over the state label", null,
                i -> STATES.stream().<Row<?>>map(s -> Row.of(Tags.of("ioc", i.name(), "state", s),
                        flag(s.equals(i.activeState())))).toList());
        gauge(registry, "epics.ioc.ready", "1 when the IOC reported initialization complete and has not died since", null,
                i -> one(i, flag(i.readiness() == Readiness.READY)));
        gauge(registry, "epics.ioc.memory", "Memory used by the IOC's unit (cgroup)", "bytes",
                i -> i.memoryBytes() < 0 ? List.of() : one(i, i.memoryBytes()));
        gauge(registry, "epics.ioc.start.time", "When the unit became active, Unix time", "seconds",
                i -> i.startedAt() == null ? List.of() : one(i, i.startedAt().toEpochMilli() / 1000.0));
        gauge(registry, "epics.ioc.console.clients", "Processes connected to the IOC's console socket", null,
                i -> one(i, i.consoleClients().size()));
        gauge(registry, "epics.ioc.socket.listening", "1 when procServ's console socket is listening", null,
                i -> one(i, flag("LISTEN".equals(i.socketState()))));
        gauge(registry, "epics.ioc.socket.recv.queue", "Connections waiting to be accepted on the console socket", null,
                i -> i.recvQueue() < 0 ? List.of() : one(i, i.recvQueue()));
        gauge(registry, "epics.ioc.socket.send.queue", "Backlog limit of the console socket", null,
                i -> i.sendQueue() < 0 ? List.of() : one(i, i.sendQueue()));
        gauge(registry, "epics.ioc.info", "Descriptive labels of each IOC; always 1", null,
                i -> List.of(Row.of(Tags.of("ioc", i.name(), "mode", mode, "command", text(i.command()),
                        "working_directory", text(i.workingDirectory()), "socket_path", text(i.socketPath())), 1)));
        counters.add(new CounterFamily(registry, "epics.ioc.service.restarts",
                "Restarts of procServ by systemd (NRestarts)", null, IocSnapshot::serviceRestarts));
        counters.add(new CounterFamily(registry, "epics.ioc.child.restarts",
                "Restarts of the IOC by procServ, counted from its log", null, IocSnapshot::childRestarts));
        counters.add(new CounterFamily(registry, "epics.ioc.cpu",
                "CPU time used by the IOC's unit (cgroup)", "seconds", IocSnapshot::cpuSeconds));
    }

    private void gauge(MeterRegistry registry, String name, String description, String baseUnit,
                       Function<IocSnapshot, List<Row<?>>> rows) {
        MultiGauge gauge = MultiGauge.builder(name).description(description).baseUnit(baseUnit).register(registry);
        gauges.add(new GaugeFamily(gauge, rows));
    }

    synchronized void update(Snapshot snapshot) {
        mode = text(snapshot.mode());
        Collection<IocSnapshot> iocs = snapshot.iocs().values();
        for (GaugeFamily family : gauges) {
            List<Row<?>> rows = new ArrayList<>();
            iocs.forEach(i -> rows.addAll(family.rows().apply(i)));
            family.gauge().register(rows, true);
        }
        counters.forEach(c -> c.update(iocs));
    }

    private static List<Row<?>> one(IocSnapshot ioc, Number value) {
        return List.of(Row.of(Tags.of("ioc", ioc.name()), value));
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    private static int flag(boolean b) {
        return b ? 1 : 0;
    }
}
