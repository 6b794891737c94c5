package io.iocagent.http;

import io.iocagent.systemd.ActiveState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Snapshot;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class IocFamiliesTest {

    private static final ExpositionFormats FORMATS = ExpositionFormats.init();

    private final FakeSnapshotSource source = new FakeSnapshotSource(FakeSnapshotSource.running("alpha"),
            FakeSnapshotSource.stopped("beta"), FakeSnapshotSource.running("gamma-1"));
    private final IocFamilies families = new IocFamilies(source);

    /**
     * The recorded files are what the Micrometer meters of the previous implementation scraped for
     * the same three IOCs: names, HELP, TYPE, labels, values and order must not move, since
     * dashboards and alert rules query them.
     */
    @Test
    void textFormatIsByteForByteWhatDashboardsWereBuiltOn() throws IOException {
        assertEquals(recorded("ioc-families.txt"), withoutAddedFamilies(text(FORMATS.getPrometheusTextFormatWriter())));
    }

    @Test
    void openMetricsIsByteForByteWhatDashboardsWereBuiltOn() throws IOException {
        assertEquals(recorded("ioc-families.om"), withoutAddedFamilies(text(FORMATS.getOpenMetricsTextFormatWriter())));
    }

    /** The hang probe's families: one series per probed IOC, none for an IOC the probe does not ask. */
    @Test
    void responsivenessAndProbeTimeHaveASeriesPerProbedIocOnly() {
        String body = text(FORMATS.getPrometheusTextFormatWriter());
        assertTrue(body.contains("epics_ioc_responsive{ioc=\"alpha\"} 1.0"), body);
        assertTrue(body.contains("epics_ioc_probe_seconds{ioc=\"alpha\"} 0.0015"), body);
        assertFalse(body.contains("epics_ioc_responsive{ioc=\"beta\""), "beta is stopped, not probed:\n" + body);
        assertFalse(body.contains("epics_ioc_probe_seconds{ioc=\"beta\""), body);
        io.iocagent.model.IocSnapshot a = FakeSnapshotSource.running("alpha");
        io.iocagent.model.IocSnapshot hung = new io.iocagent.model.IocSnapshot(a.name(), a.installed(),
                a.active(), a.subState(), a.enabled(), io.iocagent.model.Readiness.HUNG, a.mainPid(), a.childPid(),
                a.cpuSeconds(), a.memoryBytes(), a.serviceRestarts(), a.childRestarts(), a.startedAt(), a.socketPath(),
                a.socketState(), a.consoleClients(), a.recvQueue(), a.sendQueue(), a.confPath(), a.logPath(),
                a.command(), a.workingDirectory(), a.lastError(), a.lastExit(), a.childExits(), a.endpoints(), a.orphanPids(),
                new io.iocagent.model.Responsiveness(io.iocagent.model.Responsiveness.State.UNRESPONSIVE, a.childPid(),
                        Double.NaN));
        source.publish(hung);
        body = text(FORMATS.getPrometheusTextFormatWriter());
        assertTrue(body.contains("epics_ioc_responsive{ioc=\"alpha\"} 0.0"), body);
        assertTrue(body.contains("epics_ioc_ready{ioc=\"alpha\"} 0.0"), "a HUNG IOC is not ready:\n" + body);
        assertFalse(body.contains("epics_ioc_probe_seconds{ioc=\"alpha\""), "no answer, no round trip:\n" + body);
    }

    /** Families added after the recordings were made, each line of them dropped. */
    private static final java.util.regex.Pattern ADDED_FAMILIES =
            java.util.regex.Pattern.compile("(# (HELP|TYPE) )?(epics_ioc_readiness|epics_ioc_responsive|epics_ioc_probe_seconds)[ {].*");

    private static String withoutAddedFamilies(String body) {
        return body.lines().filter(l -> !ADDED_FAMILIES.matcher(l).matches()).map(l -> l + "\n")
                .collect(Collectors.joining());
    }

    /**
     * The one-hot readiness covers every value of the enum (so a value added later appears without
     * a change here), has exactly one 1 per IOC, and summed by state equals the snapshot's counts —
     * the numbers the manager MBean shows.
     */
    @Test
    void readinessIsOneHotOverEveryValueAndSumsToTheManagersCounts() {
        IocSnapshot failed = withReadiness(FakeSnapshotSource.running("delta"), Readiness.FAILED);
        IocSnapshot looping = withReadiness(FakeSnapshotSource.running("epsilon"), Readiness.CRASH_LOOP);
        IocSnapshot hung = withReadiness(FakeSnapshotSource.running("zeta"), Readiness.HUNG);
        source.publish(FakeSnapshotSource.running("alpha"), FakeSnapshotSource.stopped("beta"), failed, looping, hung);
        String body = text(FORMATS.getPrometheusTextFormatWriter());
        Map<String, Double> sums = new TreeMap<>();
        Map<String, Integer> onesPerIoc = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^epics_ioc_readiness\\{ioc=\"([^\"]+)\",state=\"([A-Z_]+)\"\\} ([0-9.]+)$").matcher(body);
        int series = 0;
        while (m.find()) {
            series++;
            double v = Double.parseDouble(m.group(3));
            sums.merge(m.group(2), v, Double::sum);
            if (v == 1.0) {
                onesPerIoc.merge(m.group(1), 1, Integer::sum);
            }
        }
        assertEquals(5 * Readiness.values().length, series, "one series per IOC and Readiness value:\n" + body);
        assertEquals(Map.of("alpha", 1, "beta", 1, "delta", 1, "epsilon", 1, "zeta", 1), onesPerIoc,
                "exactly one 1 per IOC:\n" + body);
        Snapshot snapshot = source.current();
        for (Readiness r : Readiness.values()) {
            assertEquals((double) snapshot.count(r), sums.get(r.name()), "sum of epics_ioc_readiness{state=\"" + r
                    + "\"} against the snapshot's count (FailedCount, CrashLoopCount, ...):\n" + body);
        }
        assertEquals(1.0, sums.get("FAILED"));
        assertEquals(1.0, sums.get("CRASH_LOOP"));
        assertEquals(1.0, sums.get("HUNG"), "a hung IOC counts as HUNG, not READY:\n" + body);
        assertEquals(1L, snapshot.readinessCounts().get(Readiness.HUNG));
        assertTrue(body.contains("epics_ioc_readiness{ioc=\"delta\",state=\"FAILED\"} 1.0"), body);
    }

    @Test
    void aQuietPollReusesTheRenderedBodyAndAChangeRendersAnew() {
        ExpositionFormatWriter writer = FORMATS.getPrometheusTextFormatWriter();
        byte[] first = families.rendered(writer);
        source.quietPoll(Instant.parse("2026-11-24T10:00:05Z"), Duration.ofMillis(40));
        assertSame(first, families.rendered(writer), "a poll that changed no IOC fact must not render again");
        source.publish(FakeSnapshotSource.running("alpha"), FakeSnapshotSource.running("beta"));
        byte[] second = families.rendered(writer);
        assertNotSame(first, second);
        String body = new String(second, StandardCharsets.UTF_8);
        assertTrue(body.contains("epics_ioc_up{ioc=\"beta\"} 1.0"), body);
        assertFalse(body.contains("gamma-1"), "an IOC gone from the snapshot must leave every family:\n" + body);
    }

    @Test
    void childExitsAreCountedByReasonAndAnIocWithoutExitsHasNoSeries() {
        io.iocagent.model.IocSnapshot a = FakeSnapshotSource.running("alpha");
        io.iocagent.model.IocSnapshot crashed = new io.iocagent.model.IocSnapshot(a.name(), a.installed(),
                a.active(), a.subState(), a.enabled(), a.readiness(), a.mainPid(), a.childPid(), a.cpuSeconds(),
                a.memoryBytes(), a.serviceRestarts(), a.childRestarts(), a.startedAt(), a.socketPath(),
                a.socketState(), a.consoleClients(), a.recvQueue(), a.sendQueue(), a.confPath(), a.logPath(),
                a.command(), a.workingDirectory(), a.lastError(),
                new io.iocagent.crash.ChildExit(4711, -1, 11, Instant.EPOCH),
                java.util.Map.of("signal_SEGV", 2L, "exit_3", 1L));
        source.publish(crashed, FakeSnapshotSource.running("beta"));
        String body = text(FORMATS.getPrometheusTextFormatWriter());
        assertTrue(body.contains("epics_ioc_child_exits_total{ioc=\"alpha\",reason=\"signal_SEGV\"} 2.0"), body);
        assertTrue(body.contains("epics_ioc_child_exits_total{ioc=\"alpha\",reason=\"exit_3\"} 1.0"), body);
        assertFalse(body.contains("epics_ioc_child_exits_total{ioc=\"beta\""), body);
    }

    @Test
    void orphanProcessesAreCountedPerIocAndZeroWhenNone() {
        io.iocagent.model.IocSnapshot a = FakeSnapshotSource.running("alpha");
        io.iocagent.model.IocSnapshot orphaned = new io.iocagent.model.IocSnapshot(a.name(), a.installed(),
                a.active(), a.subState(), a.enabled(), a.readiness(), a.mainPid(), a.childPid(), a.cpuSeconds(),
                a.memoryBytes(), a.serviceRestarts(), a.childRestarts(), a.startedAt(), a.socketPath(),
                a.socketState(), a.consoleClients(), a.recvQueue(), a.sendQueue(), a.confPath(), a.logPath(),
                a.command(), a.workingDirectory(), a.lastError(), a.lastExit(), a.childExits(), a.endpoints(),
                java.util.List.of(900, 901));
        source.publish(orphaned, FakeSnapshotSource.running("beta"));
        String body = text(FORMATS.getPrometheusTextFormatWriter());
        assertTrue(body.contains("epics_ioc_orphan_processes{ioc=\"alpha\"} 2.0"), body);
        assertTrue(body.contains("epics_ioc_orphan_processes{ioc=\"beta\"} 0.0"), body);
    }

    @Test
    void theEndpointFilterSeparatesIocFamiliesFromTheAgentsOwn() {
        assertTrue(MetricsEndpoint.isIocFamily("epics_ioc_cpu_seconds_total"));
        assertTrue(MetricsEndpoint.isIocFamily("epics_ioc_info"));
        assertTrue(MetricsEndpoint.isIocFamily("epics_ioc"));
        assertTrue(MetricsEndpoint.isIocFamily("epics_ioc_state"));
        assertFalse(MetricsEndpoint.isIocFamily("epics_ioc_agent_iocs"));
        assertFalse(MetricsEndpoint.isIocFamily("epics_ioc_agent_refresh_errors_total"));
        assertFalse(MetricsEndpoint.isIocFamily("jvm_memory_used_bytes"));
    }

    private String text(ExpositionFormatWriter writer) {
        byte[] body = families.rendered(writer);
        assertArrayEquals(body, families.rendered(writer));
        return new String(body, StandardCharsets.UTF_8);
    }

    private static IocSnapshot withReadiness(IocSnapshot a, Readiness readiness) {
        return new IocSnapshot(a.name(), a.installed(), a.active(), a.subState(), a.enabled(), readiness,
                a.mainPid(), a.childPid(), a.cpuSeconds(), a.memoryBytes(), a.serviceRestarts(), a.childRestarts(),
                a.startedAt(), a.socketPath(), a.socketState(), a.consoleClients(), a.recvQueue(), a.sendQueue(),
                a.confPath(), a.logPath(), a.command(), a.workingDirectory(), a.lastError(), a.lastExit(), a.childExits());
    }

    private static String recorded(String name) throws IOException {
        try (InputStream in = IocFamiliesTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
