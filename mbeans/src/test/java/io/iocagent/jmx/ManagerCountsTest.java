package io.iocagent.jmx;

import static io.iocagent.jmx.FakeSnapshotSource.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.model.Readiness;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The manager's counts as a JMX client reads them: one definition (Readiness), every value listed. */
class ManagerCountsTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final FakeSnapshotSource source = new FakeSnapshotSource();
    private JmxSurface surface;

    @AfterEach
    void close() {
        if (surface != null) {
            surface.close();
        }
    }

    @Test
    void failedAndCrashLoopCountsAreReadinessCountsAndEveryReadinessValueIsListed() throws Exception {
        // The unit of "broken" failed (Readiness FAILED); "loop" and "loop2" are active units whose
        // children keep dying (CRASH_LOOP): the unit state alone would say 1 failed, 0 crash-looping.
        source.publish(ioc("ok", "active", Readiness.READY), ioc("broken", "failed", Readiness.FAILED),
                ioc("loop", "active", Readiness.CRASH_LOOP), ioc("loop2", "activating", Readiness.CRASH_LOOP),
                ioc("off", "inactive", Readiness.STOPPED));
        surface = JmxSurface.register(server, source, new Operations((t, force) -> {
            throw new AssertionError("no operation runs in this test");
        }, source::refresh));

        Map<String, Long> counts = new TreeMap<>();
        for (Object row : ((TabularData) server.getAttribute(JmxSurface.MANAGER, "ReadinessCounts")).values()) {
            CompositeData c = (CompositeData) row;
            counts.put((String) c.get("key"), (Long) c.get("value"));
        }
        Map<String, Long> expected = new TreeMap<>();
        for (Readiness r : Readiness.values()) {
            expected.put(r.name(), 0L);
        }
        expected.putAll(Map.of("READY", 1L, "FAILED", 1L, "CRASH_LOOP", 2L, "STOPPED", 1L));
        assertEquals(expected, counts, "ReadinessCounts lists every Readiness value, 0 included");
        assertEquals(counts.get("FAILED"), server.getAttribute(JmxSurface.MANAGER, "FailedCount"));
        assertEquals(counts.get("CRASH_LOOP"), server.getAttribute(JmxSurface.MANAGER, "CrashLoopCount"));
        assertEquals(counts.get("READY"), server.getAttribute(JmxSurface.MANAGER, "ReadyCount"));
    }
}
