package io.iocagent.model;

import io.iocagent.systemd.ActiveState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Ready-made {@link IocSnapshot}s for unit tests, so the record's components are spelt out once. */
public final class IocSnapshots {

    private IocSnapshots() {
    }

    /** Active, ready, listening, no console client, known usage. */
    public static IocSnapshot running(String name) {
        return withState(name, "active", Readiness.READY);
    }

    /** An IOC in {@code activeState} with {@code readiness}; PIDs, start time and usage only when active. */
    public static IocSnapshot withState(String name, String activeState, Readiness readiness) {
        boolean active = activeState.equals("active");
        return new IocSnapshot(name, true, ActiveState.of(activeState), active ? "running" : "dead", true, readiness,
                active ? 1200 : -1, active ? 1201 : -1, active ? 12.5 : Double.NaN, active ? 50_000_000L : -1L, 0, 0,
                active ? Instant.parse("2026-12-03T09:00:00Z") : null, "/run/procserv/" + name + "/control",
                active ? "LISTEN" : "ABSENT", List.of(), active ? 0 : -1, active ? 5 : -1,
                "/etc/procServ.d/" + name + ".conf", "/var/log/procServ/" + name + ".log", "./st.cmd",
                "/opt/iocs/" + name, "", null, Map.of());
    }
}
