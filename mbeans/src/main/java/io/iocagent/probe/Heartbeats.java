package io.iocagent.probe;

import io.iocagent.ca.CaNameSearch;
import io.iocagent.conf.IocName;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Heartbeat PVs: for the IOCs that name one (agent settings {@code probe.heartbeat.pv.NAME},
 * docs/agent.md; not the IOC's conf, which the Bash tool shares), the hang probe also subscribes
 * to that PV on the circuit it keeps to the IOC's own CA server, and counts a round in which the
 * value has not changed for longer than {@code stale} as a failed probe. A PV that counts up
 * while the IOC's scan threads run (devIocStats' {@code IOC:HEARTBEAT}, or a {@code calc} record
 * {@code A+1} scanned every second) so finds an IOC whose CA server still answers but whose
 * records no longer process.
 *
 * <p>A heartbeat PV the IOC does not serve, or lets nobody read, is ignored for that IOC (one
 * warning in the log): a wrong setting never makes an IOC HUNG.
 *
 * @param pvs   heartbeat PV by IOC; IOCs without one are probed by the echo alone
 * @param stale how long an unchanged value is still fresh; longer than the PV's update period
 */
public record Heartbeats(Map<IocName, String> pvs, Duration stale) {

    /** Five updates of a 1 Hz heartbeat may be missed before a round counts as failed. */
    public static final Duration DEFAULT_STALE = Duration.ofSeconds(5);

    /** No IOC has a heartbeat PV. */
    public static final Heartbeats NONE = new Heartbeats(Map.of(), DEFAULT_STALE);

    /** @throws IllegalArgumentException naming the setting, for a PV name a CA client could not ask for, or a stale time under 1 s */
    public Heartbeats {
        pvs = Map.copyOf(Objects.requireNonNull(pvs, "pvs"));
        Objects.requireNonNull(stale, "stale");
        for (Map.Entry<IocName, String> e : pvs.entrySet()) {
            String problem = CaNameSearch.problem(e.getValue());
            if (problem != null) {
                throw new IllegalArgumentException("probe.heartbeat.pv." + e.getKey().value() + ": " + problem);
            }
        }
        if (stale.toMillis() < 1000) {
            throw new IllegalArgumentException("probe.heartbeat.stale must be at least 1s, got " + stale.toMillis() + "ms.");
        }
    }

    /** The heartbeat PV of {@code ioc}, if it has one. */
    public Optional<String> pv(IocName ioc) {
        return Optional.ofNullable(pvs.get(ioc));
    }
}
