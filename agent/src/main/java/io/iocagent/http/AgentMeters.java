package io.iocagent.http;

import io.iocagent.model.Snapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;

/**
 * The agent's own series ({@code epics_ioc_agent_*}): how its refreshes go and what build runs.
 * They read the latest snapshot kept here; {@link #update} only swaps a reference. Thread-safe.
 */
final class AgentMeters {

    private volatile Snapshot latest;

    AgentMeters(MeterRegistry registry, Snapshot first) {
        this.latest = first;
        Gauge.builder("epics.ioc.agent.refresh.duration", this, m -> m.latest.refreshDuration().toNanos() / 1e9)
                .description("How long the last full refresh of the IOC model took")
                .baseUnit("seconds").strongReference(true).register(registry);
        Gauge.builder("epics.ioc.agent.last.refresh.timestamp", this, m -> m.latest.takenAt().toEpochMilli() / 1000.0)
                .description("When the last refresh finished, Unix time; 0 before the first")
                .baseUnit("seconds").strongReference(true).register(registry);
        Gauge.builder("epics.ioc.agent.systemd.connected", this, m -> m.latest.systemdConnected() ? 1 : 0)
                .description("1 when the last call to systemd succeeded")
                .strongReference(true).register(registry);
        Gauge.builder("epics.ioc.agent.iocs", this, m -> m.latest.iocs().size())
                .description("IOCs the agent knows (installed or with a unit)")
                .strongReference(true).register(registry);
        FunctionCounter.builder("epics.ioc.agent.refresh.errors", this, m -> m.latest.refreshErrors())
                .description("Refreshes of the IOC model that failed since the agent started")
                .register(registry);
        Gauge.builder("epics.ioc.agent.build.info", () -> 1)
                .description("The running agent's version; always 1")
                .tag("version", version())
                .tag("mode", first.mode() == null ? "" : first.mode())
                .strongReference(true).register(registry);
    }

    void update(Snapshot snapshot) {
        latest = snapshot;
    }

    /** Implementation-Version of the shaded jar's manifest; "unknown" when run from classes (tests). */
    static String version() {
        return Optional.ofNullable(AgentMeters.class.getPackage().getImplementationVersion()).orElse("unknown");
    }
}
