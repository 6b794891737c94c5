package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.model.Snapshot;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} served in-process on an ephemeral loopback port from a hand-set snapshot source. */
class MetricsEndpointIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FakeSnapshotSource source;
    private MetricsEndpoint endpoint;

    @BeforeEach
    void start() {
        source = new FakeSnapshotSource(FakeSnapshotSource.running("alpha"), FakeSnapshotSource.stopped("beta"));
        endpoint = MetricsEndpoint.start(new MetricsSettings("127.0.0.1", 0, null), source);
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @Test
    void scrapeIsPrometheusTextByDefault() throws Exception {
        HttpResponse<String> r = scrape(null);
        assertEquals(200, r.statusCode());
        assertEquals(MetricsEndpoint.TEXT, r.headers().firstValue("Content-Type").orElse(""));
        List<String> lines = r.body().lines().toList();
        assertTrue(lines.contains("epics_ioc_up{ioc=\"alpha\"} 1.0"), r.body());
        assertTrue(lines.contains("epics_ioc_up{ioc=\"beta\"} 0.0"), r.body());
        assertTrue(lines.contains("epics_ioc_state{ioc=\"alpha\",state=\"active\"} 1.0"), r.body());
        assertTrue(lines.contains("epics_ioc_state{ioc=\"alpha\",state=\"failed\"} 0.0"), r.body());
        assertTrue(lines.contains("epics_ioc_ready{ioc=\"alpha\"} 1.0"), r.body());
        assertTrue(lines.contains("epics_ioc_memory_bytes{ioc=\"alpha\"} 5.0E7"), r.body());
        assertTrue(lines.contains("epics_ioc_cpu_seconds_total{ioc=\"alpha\"} 12.5"), r.body());
        assertTrue(lines.contains("epics_ioc_service_restarts_total{ioc=\"alpha\"} 1.0"), r.body());
        assertTrue(lines.contains("epics_ioc_child_restarts_total{ioc=\"alpha\"} 3.0"), r.body());
        assertTrue(lines.contains("epics_ioc_start_time_seconds{ioc=\"alpha\"} 1.7955108E9"), r.body());
        assertTrue(lines.contains("epics_ioc_console_clients{ioc=\"alpha\"} 1.0"), r.body());
        assertTrue(lines.contains("epics_ioc_socket_listening{ioc=\"alpha\"} 1.0"), r.body());
        assertTrue(lines.contains("epics_ioc_socket_send_queue{ioc=\"alpha\"} 5.0"), r.body());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("epics_ioc_info{") && l.contains("ioc=\"alpha\"")
                && l.contains("command=\"./st.cmd\"") && l.contains("mode=\"system\"")), r.body());
        assertTrue(lines.contains("epics_ioc_agent_systemd_connected 1.0"), r.body());
        assertTrue(lines.contains("epics_ioc_agent_refresh_duration_seconds 0.25"), r.body());
        assertTrue(lines.contains("epics_ioc_agent_refresh_errors_total 2.0"), r.body());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("jvm_memory_used_bytes{")), "JVM binders present");
    }

    @Test
    void theRefreshSeriesFollowAPollThatChangedNothing() throws Exception {
        Snapshot before = source.current();
        try {
            source.quietPoll(Instant.parse("2026-11-24T10:00:07Z"), Duration.ofMillis(125));
            List<String> lines = scrape("text/plain").body().lines().toList();
            assertTrue(lines.contains("epics_ioc_agent_last_refresh_timestamp_seconds 1.795514407E9"), lines.toString());
            assertTrue(lines.contains("epics_ioc_agent_refresh_duration_seconds 0.125"), lines.toString());
        } finally {
            source.quietPoll(before.takenAt(), before.refreshDuration());
        }
    }

    @Test
    void scrapeIsOpenMetricsWhenAccepted() throws Exception {
        HttpResponse<String> r = scrape("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertEquals(200, r.statusCode());
        assertEquals(MetricsEndpoint.OPENMETRICS, r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().endsWith("# EOF\n"), r.body());
        assertTrue(r.body().contains("# TYPE epics_ioc_service_restarts counter\n"), r.body());
        assertTrue(r.body().contains("epics_ioc_service_restarts_total{ioc=\"alpha\"} 1.0\n"), r.body());
    }

    @Test
    void unknownValuesAreAbsentNotSentinels() throws Exception {
        String body = scrape(null).body();
        assertFalse(body.contains("epics_ioc_memory_bytes{ioc=\"beta\"}"), body);
        assertFalse(body.contains("epics_ioc_cpu_seconds_total{ioc=\"beta\"}"), body);
        assertFalse(body.contains("epics_ioc_start_time_seconds{ioc=\"beta\"}"), body);
        assertFalse(body.contains("epics_ioc_socket_recv_queue{ioc=\"beta\"}"), body);
    }

    @Test
    void removedIocSeriesDisappearFromTheNextScrape() throws Exception {
        assertEquals(Set.of("alpha", "beta"), iocLabels(scrape(null).body()));
        source.publish(FakeSnapshotSource.running("alpha"));
        String body = scrape(null).body();
        assertEquals(Set.of("alpha"), iocLabels(body), body);
    }

    @Test
    void ourFamiliesPassPromtool() throws Exception {
        Promtool promtool = Promtool.require();
        String ours = scrape(null).body().lines()
                .filter(l -> l.startsWith("epics_ioc_") || l.startsWith("# HELP epics_ioc_") || l.startsWith("# TYPE epics_ioc_"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertTrue(ours.contains("# TYPE epics_ioc_up gauge"), ours);
        Promtool.Result result = promtool.checkMetrics(ours);
        assertEquals(0, result.exitCode(), "promtool check metrics:\n" + result.output() + "\non:\n" + ours);
    }

    @Test
    void onlyGetAndHeadAreServed() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.url())
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
    }

    private HttpResponse<String> scrape(String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.url()).timeout(Duration.ofSeconds(10)).GET();
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every {@code ioc} label value on an {@code epics_ioc_} sample line. */
    private static Set<String> iocLabels(String body) {
        Pattern ioc = Pattern.compile("[{,]ioc=\"([^\"]*)\"");
        return body.lines()
                .filter(l -> l.startsWith("epics_ioc_"))
                .map(ioc::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .collect(Collectors.toSet());
    }
}
