package io.iocagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.jmx.Credentials;
import io.iocagent.jmx.JmxSurface;
import io.iocagent.jmx.Role;
import io.iocagent.ops.LogCapture;
import io.iocagent.posix.Account;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.AttributeChangeNotification;
import javax.management.MBeanServer;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.jolokia.json.parser.JSONParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent end to end on the real user manager and procServ: MBeans follow installs and removes,
 * an operator's Jolokia exec stops an IOC and a JMX listener and a Jolokia pull-mode client hear about it, /metrics shows the
 * fleet.
 */
class AgentIT {

    private static final String OPERATOR = "olivia";
    private static final String PASSWORD = "op-secret";

    private static TestBed bed;
    private static AgentDaemon agent;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();

    @BeforeAll
    static void startAgent() throws Exception {
        bed = TestBed.open();
        Path credentials = bed.root().resolve("credentials");
        Files.writeString(credentials, OPERATOR + ":" + Role.OPERATOR.text() + ":"
                + Credentials.hash(PASSWORD.toCharArray(), Credentials.MIN_ITERATIONS) + "\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        AgentSettings settings = AgentSettings.load(Optional.empty(), Map.of("jolokia.port", "0", "metrics.port", "0",
                "poll.interval", "1s", "credentials.file", credentials.toString()));
        Account account = Account.current(bed.env());
        agent = AgentDaemon.start(settings, Layout.resolve(Mode.LOCAL, bed.env(), account), account, bed.env(),
                bed.busAddress());
    }

    @AfterAll
    static void stopAgent() {
        if (agent != null) {
            agent.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    private static int cli(String... args) {
        return io.iocagent.cli.Main.run(List.of(args), bed.env(), new java.io.ByteArrayInputStream(new byte[0]),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), false);
    }

    private static String installed(String base) {
        String name = bed.iocName(base);
        Path dir = bed.iocBoot(name, Behaviour.HEALTHY);
        assertEquals(0, cli("--local", "generate", dir.toString()));
        assertEquals(0, cli("--local", "install", dir.toString()));
        return name;
    }

    private static ObjectName mbean(String name) {
        return JmxSurface.iocObjectName(new IocName(name));
    }

    private static String post(String json, boolean operator) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(agent.jolokiaUrl().orElseThrow()))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (operator) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (OPERATOR + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A Jolokia pull-mode notification client (anonymous: notifications are a viewer's right). */
    private record JolokiaPull(String client, String handle, String store) {

        static JolokiaPull subscribe(ObjectName mbean) throws Exception {
            Map<?, ?> registered = value(post("{\"type\":\"notification\",\"command\":\"register\"}", false));
            String client = (String) registered.get("id");
            String store = (String) ((Map<?, ?>) ((Map<?, ?>) registered.get("backend")).get("pull")).get("store");
            Object handle = valueOf(post("{\"type\":\"notification\",\"command\":\"add\",\"client\":\"" + client
                    + "\",\"mode\":\"pull\",\"mbean\":\"" + mbean + "\"}", false));
            return new JolokiaPull(client, String.valueOf(handle), store);
        }

        List<Map<?, ?>> pull() {
            Map<?, ?> pulled;
            try {
                pulled = value(post("{\"type\":\"exec\",\"mbean\":\"" + store + "\",\"operation\":\"pull\","
                    + "\"arguments\":[\"" + client + "\",\"" + handle + "\"]}", false));
            } catch (Exception e) {
                throw new IllegalStateException("Jolokia pull failed", e);
            }
            return ((List<?>) pulled.get("notifications")).stream().<Map<?, ?>>map(n -> (Map<?, ?>) n).toList();
        }

        private static Map<?, ?> value(String reply) throws Exception {
            return (Map<?, ?>) valueOf(reply);
        }

        private static Object valueOf(String reply) throws Exception {
            Map<?, ?> answer = (Map<?, ?>) new JSONParser().parse(reply);
            assertEquals(200L, ((Number) answer.get("status")).longValue(), reply);
            return answer.get("value");
        }
    }

    private static String scrape() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(agent.metricsUrl().orElseThrow())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * The MBean follows install and remove. On a quiet host it registers ~150 ms after install began
     * (printed below); the deadline is generous because CI runs beside busy loops, where 1 s was once
     * exceeded. How fast the model follows a change is measured by the agent bench, not here.
     */
    @Test
    void anIocsMBeanAppearsOnInstallAndGoesAwayOnRemove() {
        String name = bed.iocName("appear");
        Path dir = bed.iocBoot(name, Behaviour.HEALTHY);
        assertEquals(0, cli("--local", "generate", dir.toString()));
        long t0 = System.nanoTime();
        assertEquals(0, cli("--local", "install", dir.toString()));
        TestBed.await(Duration.ofSeconds(10), "the MBean of " + name, () -> MBEANS.isRegistered(mbean(name)));
        System.out.println("AgentIT: MBean registered " + (System.nanoTime() - t0) / 1_000_000 + " ms after install began");
        assertEquals(0, cli("--local", "remove", name));
        TestBed.await(Duration.ofSeconds(10), "the MBean of " + name + " to go", () -> !MBEANS.isRegistered(mbean(name)));
    }

    @Test
    void anOperatorStopsAnIocThroughJolokiaAndAJmxListenerHearsIt() throws Exception {
        String name = installed("stopme");
        assertEquals(0, cli("--local", "start", name));
        TestBed.await(Duration.ofSeconds(5), name + " READY", () -> "READY".equals(attribute(name, "Readiness")));
        List<AttributeChangeNotification> heard = new CopyOnWriteArrayList<>();
        NotificationListener listener = (n, handback) -> {
            if (n instanceof AttributeChangeNotification a) {
                heard.add(a);
            }
        };
        MBEANS.addNotificationListener(mbean(name), listener, null, null);
        JolokiaPull pull = JolokiaPull.subscribe(mbean(name));
        try (LogCapture audit = LogCapture.audit()) {
            String anonymous = post("{\"type\":\"exec\",\"mbean\":\"" + mbean(name) + "\",\"operation\":\"stop\"}", false);
            assertTrue(anonymous.contains("\"status\":403"), anonymous);
            assertEquals("active", attribute(name, "ActiveState"));

            String reply = post("{\"type\":\"exec\",\"mbean\":\"" + mbean(name) + "\",\"operation\":\"stop\"}", true);
            assertTrue(reply.contains("\"status\":200"), reply);
            TestBed.await(Duration.ofSeconds(5), "ActiveState inactive", () -> "inactive".equals(attribute(name, "ActiveState")));
            TestBed.await(Duration.ofSeconds(5), "the ActiveState notification", () -> heard.stream()
                    .anyMatch(a -> a.getAttributeName().equals("ActiveState") && "inactive".equals(a.getNewValue())));
            assertEquals("inactive", bed.activeState(bed.unit(name)));

            TestBed.await(Duration.ofSeconds(5), "the ActiveState notification pulled over Jolokia",
                    () -> pull.pull().stream().anyMatch(n -> "ActiveState".equals(n.get("attributeName"))
                            && "inactive".equals(n.get("newValue"))));

            List<String> lines = audit.awaitEnded(2);
            assertEquals(2, lines.size(), "one line per attempt, whichever layer ran it: " + lines);
            assertTrue(lines.get(0).contains("user=anonymous role=viewer") && lines.get(0).contains("ioc=" + name)
                    && lines.get(0).contains("outcome=denied"), lines.get(0));
            assertTrue(lines.get(1).startsWith("surface=jolokia user=" + OPERATOR + " role=operator")
                    && lines.get(1).contains("ioc=" + name) && lines.get(1).contains("member=stop")
                    && lines.get(1).contains("outcome=ok"), lines.get(1));
        } finally {
            MBEANS.removeNotificationListener(mbean(name), listener);
        }
    }

    @Test
    void metricsShowARunningReadyIoc() throws Exception {
        String name = installed("metrics");
        assertEquals(0, cli("--local", "start", name));
        TestBed.await(Duration.ofSeconds(5), name + " in /metrics as ready", () -> {
            try {
                return scrape().contains("epics_ioc_ready{ioc=\"" + name + "\"} 1.0");
            } catch (Exception e) {
                return false;
            }
        });
        String text = scrape();
        assertTrue(text.contains("epics_ioc_up{ioc=\"" + name + "\"} 1.0"), text);
        assertTrue(text.contains("epics_ioc_state{ioc=\"" + name + "\",state=\"active\"} 1.0"), text);
        assertTrue(text.contains("epics_ioc_agent_systemd_connected 1.0"), text);
        assertFalse(text.contains("NaN"), "absent values are left out, not NaN");
        assertEquals(0, cli("--local", "stop", name));
    }

    @Test
    void aCrashLoopingIocShowsRisingChildRestartsAndIsNotReady() throws Exception {
        String name = bed.iocName("loop");
        Path dir = bed.iocBoot(name, Behaviour.CRASHLOOP);
        assertEquals(0, cli("--local", "generate", dir.toString()));
        assertEquals(0, cli("--local", "install", dir.toString()));
        bed.systemctl("start", bed.unit(name)); // the CLI's start would judge it (exit 1) first
        // procServ restarts a child that died young only after its 15 s holdoff.
        TestBed.await(Duration.ofSeconds(50), name + " with two child restarts", () -> metric(name, "epics_ioc_child_restarts_total") >= 2);
        assertEquals(0.0, metric(name, "epics_ioc_ready"));
        assertEquals("CRASH_LOOP", attribute(name, "Readiness"));
        bed.systemctl("stop", bed.unit(name));
    }

    /** The value of {@code family{ioc="name"}} in a fresh scrape, or -1 when absent. */
    private static double metric(String name, String family) {
        try {
            String prefix = family + "{ioc=\"" + name + "\"} ";
            return scrape().lines().filter(l -> l.startsWith(prefix)).findFirst()
                    .map(l -> Double.parseDouble(l.substring(prefix.length()).trim())).orElse(-1.0);
        } catch (Exception e) {
            return -1;
        }
    }

    private static String attribute(String name, String attribute) {
        try {
            return String.valueOf(MBEANS.getAttribute(mbean(name), attribute));
        } catch (Exception e) {
            return "";
        }
    }
}
