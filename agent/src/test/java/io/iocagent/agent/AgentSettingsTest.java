package io.iocagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.probe.Heartbeats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentSettingsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreLoopbackWithRemoteJmxOff() {
        AgentSettings s = AgentSettings.load(Optional.empty(), Map.of());
        assertEquals("127.0.0.1", s.jolokiaHost());
        assertEquals(8778, s.jolokiaPort());
        assertEquals("127.0.0.1", s.metricsHost());
        assertEquals(9464, s.metricsPort());
        assertTrue(s.jmxRemotePort().isEmpty());
        assertEquals(Duration.ofSeconds(5), s.pollInterval());
        assertEquals(List.of(), s.corsOrigins());
    }

    @Test
    void probeDefaultsDetectAHangWithinTenSecondsAndBadProbeValuesNameTheSetting() {
        AgentSettings s = AgentSettings.load(Optional.empty(), Map.of());
        assertTrue(s.probe().enabled());
        Duration detection = s.probe().interval().multipliedBy(s.probe().failures()).plus(s.probe().timeout());
        assertTrue(detection.compareTo(Duration.ofSeconds(10)) <= 0, "default hang detection " + detection);
        assertEquals(Duration.ofMillis(700), AgentSettings.load(Optional.empty(),
                Map.of("probe.interval", "1s", "probe.timeout", "700ms")).probe().timeout());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("probe.timeout", "2s"))).getMessage()
                .startsWith("probe.timeout (2000ms) must be at least 10ms and shorter than probe.interval"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("probe.failures", "0"))).getMessage()
                .startsWith("probe.failures must be 1 to 100"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("probe.failures", "-1"))).getMessage()
                .startsWith("probe.failures '-1' is not a whole number"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("probe.connections.max", "0"))).getMessage()
                .startsWith("probe.connections.max must be at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("probe.enabled", "yes"))).getMessage()
                .startsWith("probe.enabled 'yes' must be true or false"));
    }

    @Test
    void heartbeatPvsAreReadPerIocFromTheFileAndFlagsWithTheirStaleTime() throws IOException {
        Path file = Files.writeString(dir.resolve("beats.properties"),
                "probe.heartbeat.pv.vac1 = vac1:HEARTBEAT\nprobe.heartbeat.pv.rf-2=RF2:iocStats:HEARTBEAT\n"
                + "probe.heartbeat.pv.off=\nprobe.heartbeat.stale=8s\n");
        AgentSettings s = AgentSettings.load(Optional.of(file), Map.of("probe.heartbeat.pv.vac1", "vac1:counter"));
        assertEquals(Map.of(new IocName("vac1"), "vac1:counter", new IocName("rf-2"), "RF2:iocStats:HEARTBEAT"),
                s.heartbeats().pvs(), "the flag wins; an empty value names no heartbeat");
        assertEquals(Duration.ofSeconds(8), s.heartbeats().stale());
        assertEquals(Heartbeats.NONE, AgentSettings.load(Optional.empty(), Map.of()).heartbeats(), "none by default");
        assertTrue(AgentSettings.describe().stream().anyMatch(k -> k.name().equals("probe.heartbeat.pv.NAME")),
                "agent --help lists the heartbeat key family");
    }

    @Test
    void hostileHeartbeatSettingsAreRefusedNamingTheKey() {
        String bad = assertThrows(IllegalArgumentException.class, () -> AgentSettings.load(Optional.empty(),
                Map.of("probe.heartbeat.pv.../etc", "x:HEARTBEAT"))).getMessage();
        assertTrue(bad.startsWith("Agent setting 'probe.heartbeat.pv.../etc' as a flag names no valid IOC"), bad);
        String control = assertThrows(IllegalArgumentException.class, () -> AgentSettings.load(Optional.empty(),
                Map.of("probe.heartbeat.pv.ioc1", "ioc1:\u001b[2JHEARTBEAT"))).getMessage();
        assertTrue(control.startsWith("probe.heartbeat.pv.ioc1: "), control);
        assertTrue(!control.contains("\u001b"), "the control character is not echoed: " + control);
        String huge = assertThrows(IllegalArgumentException.class, () -> AgentSettings.load(Optional.empty(),
                Map.of("probe.heartbeat.pv.ioc1", "P".repeat(5000)))).getMessage();
        assertTrue(huge.startsWith("probe.heartbeat.pv.ioc1: ") && huge.length() < 400, huge);
        String spaced = assertThrows(IllegalArgumentException.class, () -> AgentSettings.load(Optional.empty(),
                Map.of("probe.heartbeat.pv.ioc1", "ioc1 HEARTBEAT"))).getMessage();
        assertTrue(spaced.startsWith("probe.heartbeat.pv.ioc1: "), spaced);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AgentSettings.load(Optional.empty(),
                Map.of("probe.heartbeat.stale", "500ms"))).getMessage().contains("at least 1000ms"));
    }

    @Test
    void theShippedExampleLoadsAndMatchesTheDefaults() {
        Path example = Path.of("").toAbsolutePath().getParent().resolve("deploy/agent/agent.properties");
        assertEquals(AgentSettings.load(Optional.empty(), Map.of()), AgentSettings.load(Optional.of(example), Map.of()));
    }

    @Test
    void flagsOverrideTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("agent.properties"),
                "# example\njolokia.port = 18778\npoll.interval=2s\njolokia.cors.origins=http://a.example, http://b.example\n");
        AgentSettings s = AgentSettings.load(Optional.of(file), Map.of("poll.interval", "500ms", "jmx.remote.port", "9999"));
        assertEquals(18778, s.jolokiaPort());
        assertEquals(Duration.ofMillis(500), s.pollInterval());
        assertEquals(Optional.of(9999), s.jmxRemotePort());
        assertEquals(List.of("http://a.example", "http://b.example"), s.corsOrigins());
    }

    @Test
    void badValuesAndUnknownKeysNameTheKey() throws IOException {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("jolokia.port", "70000"))).getMessage()
                .startsWith("jolokia.port '70000' is not a port number"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("poll.interval", "fast"))).getMessage()
                .startsWith("poll.interval 'fast' is not a duration"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("poll.interval", "10ms"))).getMessage()
                .contains("at least 100ms"));
        Path file = Files.writeString(dir.resolve("typo.properties"), "jolokia.prot=1\n");
        String msg = assertThrows(IllegalArgumentException.class, () -> AgentSettings.load(Optional.of(file), Map.of())).getMessage();
        assertTrue(msg.startsWith("Unknown agent setting 'jolokia.prot' in " + file), msg);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.of(dir.resolve("missing")), Map.of())).getMessage()
                .startsWith("Cannot read the agent configuration"));
    }

    @Test
    void theKeystorePasswordIsRefusedAsAFlagAndReadFromAFileOrTheEnvironment() throws IOException {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("tls.keystore.password", "hunter22"))).getMessage();
        assertTrue(msg.contains("must not be given as a flag") && msg.contains("tls.keystore.password.file"), msg);
        Path secret = Files.writeString(dir.resolve("pw"), "from-file\n");
        assertEquals(Optional.of("from-file"), AgentSettings.load(Optional.empty(),
                Map.of("tls.keystore.password.file", secret.toString())).tlsKeystorePassword());
        assertEquals(Optional.of("from-env"), AgentSettings.load(Optional.empty(), Map.of(),
                Map.of(AgentSettings.PASSWORD_ENV, "from-env")).tlsKeystorePassword());
    }

    @Test
    void limitsAreSettingsWithSafeDefaults() {
        assertEquals(io.iocagent.http.HttpLimits.DEFAULTS, AgentSettings.load(Optional.empty(), Map.of()).limits());
        AgentSettings s = AgentSettings.load(Optional.empty(), Map.of("jolokia.bulk.max", "5", "http.request.timeout", "2s",
                "jolokia.notification.idle", "1m"));
        assertEquals(5, s.limits().bulkMax());
        assertEquals(Duration.ofSeconds(2), s.limits().requestTimeout());
        assertEquals(Duration.ofMinutes(1), s.limits().notificationIdle());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("jolokia.bulk.max", "0"))).getMessage()
                .contains("jolokia.bulk.max must be greater than 0"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.load(Optional.empty(), Map.of("login.concurrency", "many"))).getMessage()
                .contains("login.concurrency 'many' is not a whole number"));
    }

    @Test
    void anInlineCommentInTheFileIsRefusedNamingTheKeyNotTakenAsPartOfTheValue() throws IOException {
        Path file = Files.writeString(dir.resolve("commented.properties"),
                "# a whole-line comment is fine\nmetrics.host=0.0.0.0        # or the address of the interface\n");
        String msg = assertThrows(IllegalArgumentException.class, () -> AgentSettings.load(Optional.of(file), Map.of())).getMessage();
        assertTrue(msg.startsWith("metrics.host in " + file + " ends in an inline comment"), msg);
        assertTrue(msg.contains("-> Move the '#' comment to its own line above 'metrics.host'."), msg);
    }
}
