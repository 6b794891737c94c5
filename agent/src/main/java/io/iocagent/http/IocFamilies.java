package io.iocagent.http;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Snapshot;
import io.iocagent.model.SnapshotSource;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The per-IOC Prometheus families ({@code epics_ioc_*}), built straight from the immutable
 * {@link Snapshot} when scraped: labelled {@code ioc} only (plus {@code state} on the one-hots
 * {@code epics_ioc_state} and {@code epics_ioc_readiness}, and the descriptive labels of {@code epics_ioc_info}). Unknown values
 * (memory -1, no start time, CPU NaN) are absent series, not sentinel numbers; an IOC that leaves
 * the snapshot leaves every family at once. Nothing is mirrored into meters between scrapes.
 *
 * <p>A {@link MultiCollector}, registered in the Micrometer registry's Prometheus registry, so a
 * plain {@code registry.scrape()} holds every family. The endpoint asks {@link #rendered} instead:
 * the families' bytes in one exposition format, rendered once per distinct set of IOC facts (a
 * quiet poll that only refreshes {@code takenAt} renders nothing) — at 1,000 IOCs some 18,000
 * series and 1 MB, which a scrape then only copies.
 *
 * <p>Names, HELP texts and label sets are those the Micrometer meters of earlier versions
 * produced (pinned by {@code IocFamiliesTest} against their recorded output): dashboards and
 * alert rules query them. Thread-safe.
 */
final class IocFamilies implements MultiCollector {

    /** systemd's ActiveState values (org.freedesktop.systemd1(5)); each IOC has one row per value. */
    static final List<String> STATES = List.of("active", "activating", "deactivating", "inactive", "failed", "reloading");

    /** The Prometheus names of the families, as the registry filters them. */
    static final List<String> NAMES = List.of("epics_ioc", "epics_ioc_up", "epics_ioc_state", "epics_ioc_ready",
            "epics_ioc_readiness", "epics_ioc_memory_bytes", "epics_ioc_start_time_seconds", "epics_ioc_console_clients",
            "epics_ioc_ca_clients", "epics_ioc_pva_clients",
            "epics_ioc_socket_listening", "epics_ioc_socket_recv_queue", "epics_ioc_socket_send_queue",
            "epics_ioc_service_restarts", "epics_ioc_child_restarts", "epics_ioc_cpu_seconds",
            "epics_ioc_child_exits", "epics_ioc_orphan_processes", "epics_ioc_responsive", "epics_ioc_probe_seconds");

    /** What a cached rendering was made from: the IOC facts and the mode label. */
    private record Key(Map<String, IocSnapshot> iocs, String mode) {
        boolean sameAs(Snapshot s) {
            return (iocs == s.iocs() || iocs.equals(s.iocs())) && mode.equals(text(s.mode()));
        }
    }

    private final SnapshotSource source;
    private Key key; // guarded by this
    private MetricSnapshots families; // guarded by this
    private final Map<ExpositionFormatWriter, byte[]> bodies = new HashMap<>(); // guarded by this

    IocFamilies(SnapshotSource source) {
        this.source = source;
    }

    @Override
    public MetricSnapshots collect() {
        return snapshotsOf(source.current());
    }

    @Override
    public List<String> getPrometheusNames() {
        return NAMES;
    }

    /**
     * The families of the source's current snapshot in {@code writer}'s format, including what
     * that format writes after the last family (OpenMetrics' {@code # EOF}). The same array is
     * returned until the IOC facts change; callers must not modify it.
     */
    synchronized byte[] rendered(ExpositionFormatWriter writer) {
        MetricSnapshots snapshots = snapshotsOf(source.current());
        byte[] body = bodies.get(writer);
        if (body == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
            try {
                writer.write(out, snapshots);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
            }
            body = out.toByteArray();
            bodies.put(writer, body);
        }
        return body;
    }

    /** The families of {@code snapshot}, built anew only when its IOC facts differ from the last ones. */
    private synchronized MetricSnapshots snapshotsOf(Snapshot snapshot) {
        if (key == null || !key.sameAs(snapshot)) {
            families = build(snapshot.iocs().values(), text(snapshot.mode()));
            key = new Key(snapshot.iocs(), text(snapshot.mode()));
            bodies.clear();
        }
        return families;
    }

    static MetricSnapshots build(Collection<IocSnapshot> iocs, String mode) {
        List<MetricSnapshot> out = new ArrayList<>(NAMES.size());
        List<InfoDataPointSnapshot> info = new ArrayList<>(iocs.size());
        for (IocSnapshot i : iocs) {
            info.add(new InfoDataPointSnapshot(Labels.of("ioc", i.name(), "mode", mode, "command", text(i.command()),
                    "working_directory", text(i.workingDirectory()), "socket_path", text(i.socketPath()))));
        }
        out.add(new InfoSnapshot(new MetricMetadata("epics_ioc", "Descriptive labels of each IOC; always 1"), info));
        out.add(gauge("epics_ioc_up", "1 while the IOC's unit runs (ActiveState active, reloading or refreshing), else 0",
                iocs, // absent while the state is unknown: the agent does not say 0 or 1 when it does not know
                i -> i.stateKnown() ? flag(i.up()) : Double.NaN));
        List<GaugeDataPointSnapshot> states = new ArrayList<>(iocs.size() * STATES.size());
        for (IocSnapshot i : iocs) {
            for (String s : STATES) {
                states.add(new GaugeDataPointSnapshot(flag(s.equals(i.activeState())),
                        Labels.of("ioc", i.name(), "state", s), null));
            }
        }
        out.add(new GaugeSnapshot(new MetricMetadata("epics_ioc_state",
                "The unit's systemd ActiveState, one-hot over the state label"), states));
        out.add(gauge("epics_ioc_ready", "1 when the IOC reported initialization complete and has not died since", iocs,
                i -> flag(i.readiness() == Readiness.READY)));
        out.add(readiness(iocs));
        out.add(gauge("epics_ioc_memory_bytes", "Memory used by the IOC's unit (cgroup)", iocs,
                i -> i.memoryBytes() < 0 ? Double.NaN : i.memoryBytes()));
        out.add(gauge("epics_ioc_start_time_seconds", "When the unit became active, Unix time", iocs,
                i -> i.startedAt() == null ? Double.NaN : i.startedAt().toEpochMilli() / 1000.0));
        out.add(gauge("epics_ioc_console_clients", "Processes connected to the IOC's console socket", iocs,
                i -> i.consoleClients().size()));
        out.add(gauge("epics_ioc_ca_clients", "Channel Access clients connected to the IOC's CA server; "
                + "no series while it serves no CA", iocs,
                i -> i.endpoints().servesCa() ? i.endpoints().caClients().size() : Double.NaN));
        out.add(gauge("epics_ioc_pva_clients", "PV Access clients connected to the IOC's PVA server; "
                + "no series while it serves no PVA", iocs,
                i -> i.endpoints().servesPva() ? i.endpoints().pvaClients().size() : Double.NaN));
        out.add(gauge("epics_ioc_socket_listening", "1 when procServ's console socket is listening", iocs,
                i -> flag("LISTEN".equals(i.socketState()))));
        out.add(gauge("epics_ioc_socket_recv_queue", "Connections waiting to be accepted on the console socket", iocs,
                i -> i.recvQueue() < 0 ? Double.NaN : i.recvQueue()));
        out.add(gauge("epics_ioc_socket_send_queue", "Backlog limit of the console socket", iocs,
                i -> i.sendQueue() < 0 ? Double.NaN : i.sendQueue()));
        out.add(counter("epics_ioc_service_restarts", "Restarts of procServ by systemd (NRestarts)", iocs,
                IocSnapshot::serviceRestarts));
        out.add(counter("epics_ioc_child_restarts", "Restarts of the IOC by procServ, counted from its log", iocs,
                IocSnapshot::childRestarts));
        out.add(counter("epics_ioc_cpu_seconds", "CPU time used by the IOC's unit (cgroup)", iocs,
                IocSnapshot::cpuSeconds));
        out.add(gauge("epics_ioc_orphan_processes", "Processes of the IOC outside its unit (an orphaned procServ"
                + " and its child holding the IOC's console), 0 when none", iocs, i -> i.orphanPids().size()));
        out.add(childExits(iocs));
        out.add(gauge("epics_ioc_responsive", "1 while the IOC's Channel Access server answers the agent's hang probe,"
                + " 0 after it failed probe.failures times in a row (Readiness HUNG); absent when not probed", iocs,
                i -> i.responsiveness().flag() < 0 ? Double.NaN : i.responsiveness().flag()));
        out.add(gauge("epics_ioc_probe_seconds", "Round-trip time of the last answered hang probe (CA VERSION and ECHO)",
                iocs, i -> i.responsiveness().probeSeconds()));
        return new MetricSnapshots(out);
    }

    /**
     * {@code epics_ioc_readiness{ioc,state}}: the IOC's {@link Readiness}, one-hot over every value
     * of the enum (its name as the label value, as JMX shows it), so summing by {@code state} gives
     * exactly the manager MBean's counts ({@link Snapshot#count}) and a value added to the enum
     * appears here by itself.
     */
    private static GaugeSnapshot readiness(Collection<IocSnapshot> iocs) {
        Readiness[] values = Readiness.values();
        List<GaugeDataPointSnapshot> points = new ArrayList<>(iocs.size() * values.length);
        for (IocSnapshot i : iocs) {
            for (Readiness r : values) {
                points.add(new GaugeDataPointSnapshot(flag(r == i.readiness()), Labels.of("ioc", i.name(), "state", r.name()), null));
            }
        }
        return new GaugeSnapshot(new MetricMetadata("epics_ioc_readiness",
                "The IOC's Readiness (as JMX shows it), one-hot over the state label"), points);
    }

    /** One gauge family with a series per IOC whose value is known (not NaN). */
    private static GaugeSnapshot gauge(String name, String help, Collection<IocSnapshot> iocs,
                                       ToDoubleFunction<IocSnapshot> value) {
        List<GaugeDataPointSnapshot> points = new ArrayList<>(iocs.size());
        for (IocSnapshot i : iocs) {
            double v = value.applyAsDouble(i);
            if (!Double.isNaN(v)) {
                points.add(new GaugeDataPointSnapshot(v, Labels.of("ioc", i.name()), null));
            }
        }
        return new GaugeSnapshot(new MetricMetadata(name, help), points);
    }

    /** One counter family with a series per IOC whose count is known (not negative, not NaN). */
    private static CounterSnapshot counter(String name, String help, Collection<IocSnapshot> iocs,
                                           ToDoubleFunction<IocSnapshot> value) {
        List<CounterDataPointSnapshot> points = new ArrayList<>(iocs.size());
        for (IocSnapshot i : iocs) {
            double v = value.applyAsDouble(i);
            if (v >= 0) {
                points.add(new CounterDataPointSnapshot(v, Labels.of("ioc", i.name()), null, 0));
            }
        }
        return new CounterSnapshot(new MetricMetadata(name, help), points);
    }

    /**
     * {@code epics_ioc_child_exits_total{ioc,reason}}: child exits procServ logged since the agent
     * began watching, by {@code exit_N} / {@code signal_NAME} (a bounded set, see
     * {@code ChildExit.reason}); an IOC without exits has no series.
     */
    private static CounterSnapshot childExits(Collection<IocSnapshot> iocs) {
        List<CounterDataPointSnapshot> points = new ArrayList<>();
        for (IocSnapshot i : iocs) {
            for (Map.Entry<String, Long> e : new java.util.TreeMap<>(i.childExits()).entrySet()) {
                points.add(new CounterDataPointSnapshot(e.getValue(), Labels.of("ioc", i.name(), "reason", e.getKey()),
                        null, 0));
            }
        }
        return new CounterSnapshot(new MetricMetadata("epics_ioc_child_exits",
                "Exits of the IOC child as procServ logged them, by reason (exit_N or signal_NAME)"), points);
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    private static int flag(boolean b) {
        return b ? 1 : 0;
    }
}
