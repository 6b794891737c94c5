package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ReconcileScheduleTest {


    private final Set<IocName> names = new TreeSet<>();
    private final Map<IocName, UnitSummary> listed = new HashMap<>();
    private final Map<IocName, UnitState> held = new HashMap<>();

    ReconcileScheduleTest() {
        for (int i = 0; i < 24; i++) {
            IocName n = new IocName(String.format("r%02d", i));
            names.add(n);
            listed.put(n, summary(n, "active", "running", ""));
            held.put(n, state(n, "active", "running"));
        }
    }

    @Test
    void everyUnitIsReadOncePerReconcileRoundAndNoMoreOftenThanNeeded() {
        // 5 s polls: 12 polls per 60 s round, so 24 quiet units cost 2 reads per poll.
        ReconcileSchedule schedule = new ReconcileSchedule(Duration.ofSeconds(5));
        Set<IocName> seen = new HashSet<>();
        for (int poll = 0; poll < 12; poll++) {
            Set<IocName> read = schedule.select(names, listed, held, false);
            assertEquals(2, read.size(), "poll " + poll + " of a quiet fleet read " + read);
            seen.addAll(read);
        }
        assertEquals(names, seen, "one 60 s round must re-read every unit (the unit file state has no signal)");
    }

    @Test
    void aUnitListedDifferentlyFromWhatIsHeldIsReadAtOnce() {
        ReconcileSchedule schedule = new ReconcileSchedule(Duration.ofSeconds(5));
        IocName changed = new IocName("r07");
        IocName busy = new IocName("r11");
        IocName unloaded = new IocName("r15");
        IocName fresh = new IocName("r20");
        listed.put(changed, summary(changed, "failed", "failed", ""));
        listed.put(busy, summary(busy, "active", "running", "stop"));
        listed.remove(unloaded);
        held.remove(fresh);
        Set<IocName> read = schedule.select(names, listed, held, false);
        assertTrue(read.containsAll(List.of(changed, busy, unloaded, fresh)), "read " + read);
        assertEquals(6, read.size(), "the four that differ plus a reconcile slice of two, got " + read);
    }

    @Test
    void afterAnOutageEveryUnitIsRead() {
        assertEquals(names, new ReconcileSchedule(Duration.ofSeconds(5)).select(names, listed, held, true));
    }

    private static UnitSummary summary(IocName n, String active, String sub, String job) {
        return new UnitSummary(new UnitName("epics-@", n), "", "loaded", active, sub, job);
    }

    static UnitState state(IocName n, String active, String sub) {
        return new UnitState(new UnitName("epics-@", n), "loaded", active, sub, "success", 100, 0, Optional.empty(),
                Optional.empty(), "/x.slice/" + n.value(), OptionalLong.empty(), OptionalLong.empty(), "", List.of(),
                "enabled");
    }
}
