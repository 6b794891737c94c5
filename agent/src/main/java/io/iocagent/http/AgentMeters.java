package io.iocagent.http;

import io.iocagent.model.Snapshot;
import io.iocagent.model.SnapshotSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;

/**
 * The agent's own series ({@code epics_ioc_agent_*}): how its refreshes go and what build runs.
 * They read the source's current snapshot at every scrape — not only the last one published to
 * listeners, which a poll that changed nothing does not replace — so the refresh timestamp and
 * duration keep moving on a quiet host. {@link SnapshotSource#current()} never blocks. Thread-safe.
 */
final class AgentMeters {

    private final SnapshotSource source;

    AgentMeters(MeterRegistry registry, SnapshotSource source) {
        this.source = source;
        Snapshot first = source.current();
        Gauge.builder("epics.ioc.agent.refresh.duration", this, m -> m.source.current().refreshDuration().toNanos() / 1e9)
                .description("How long the last full refresh of the IOC model took")
                .baseUnit("seconds").strongReference(true).register(registry);
        Gauge.builder("epics.ioc.agent.last.refresh.timestamp", this, m -> m.source.current().takenAt().toEpochMilli() / 1000.0)
                .description("When the last refresh finished, Unix time; 0 before the first")
                .baseUnit("seconds").strongReference(true).register(registry);
        Gauge.builder("epics.ioc.agent.systemd.connected", this, m -> m.source.current().systemdConnected() ? 1 : 0)
                .description("1 when the last call to systemd succeeded")
                .strongReference(true).register(registry);
        Gauge.builder("epics.ioc.agent.iocs", this, m -> m.source.current().iocs().size())
                .description("IOCs the agent knows (installed or with a unit)")
                .strongReference(true).register(registry);
        FunctionCounter.builder("epics.ioc.agent.refresh.errors", this, m -> m.source.current().refreshErrors())
                .description("Refreshes of the IOC model that failed since the agent started")
                .register(registry);
        Gauge.builder("epics.ioc.agent.build.info", () -> 1)
                .description("The running agent's version; always 1")
                .tag("version", version())
                .tag("mode", first.mode() == null ? "" : first.mode())
                .strongReference(true).register(registry);
    }

    /** Implementation-Version of the shaded jar's manifest; "unknown" when run from classes (tests). */
    static String version() {
        return Optional.ofNullable(AgentMeters.class.getPackage().getImplementationVersion()).orElse("unknown");
    }
}
