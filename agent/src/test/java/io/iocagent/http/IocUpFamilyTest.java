package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.iocagent.model.IocSnapshots;
import io.iocagent.model.Readiness;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@code epics_ioc_up}: 1 exactly while the unit runs (ActiveState active, reloading or refreshing), absent while unknown. */
class IocUpFamilyTest {

    private static final Map<String, String> UP_BY_STATE = new TreeMap<>(Map.of(
            "active", "1.0", "reloading", "1.0", "refreshing", "1.0", "activating", "0.0", "deactivating", "0.0",
            "inactive", "0.0", "failed", "0.0", "maintenance", "0.0"));

    @Test
    void upIsOneWhileTheUnitRunsAndZeroOtherwise() {
        FakeSnapshotSource source = new FakeSnapshotSource(UP_BY_STATE.keySet().stream()
                .map(state -> IocSnapshots.withState(state, state, Readiness.READY))
                .toArray(io.iocagent.model.IocSnapshot[]::new));
        String body = scrape(source);
        UP_BY_STATE.forEach((state, up) -> assertEquals("epics_ioc_up{ioc=\"" + state + "\"} " + up, line(body, state),
                "IOC in ActiveState " + state + ": epics_ioc_up must be " + up));
    }

    @Test
    void upIsAbsentWhileTheStateIsUnknown() {
        FakeSnapshotSource source = new FakeSnapshotSource(IocSnapshots.withState("lost", "unknown", Readiness.UNKNOWN),
                IocSnapshots.withState("seen", "active", Readiness.READY));
        String body = scrape(source);
        assertFalse(body.contains("epics_ioc_up{ioc=\"lost\""),
                "an IOC whose state is unknown has no epics_ioc_up sample (neither 0 nor 1):\n" + body);
        assertEquals("epics_ioc_up{ioc=\"seen\"} 1.0", line(body, "seen"));
    }

    private static String scrape(FakeSnapshotSource source) {
        byte[] body = new IocFamilies(source).rendered(ExpositionFormats.init().getPrometheusTextFormatWriter());
        return new String(body, StandardCharsets.UTF_8);
    }

    private static String line(String body, String ioc) {
        String prefix = "epics_ioc_up{ioc=\"" + ioc + "\"}";
        return body.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElse("(no " + prefix + " sample in the scrape)");
    }
}
