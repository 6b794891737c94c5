package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.agent.AgentDaemon;
import io.iocagent.agent.AgentSettings;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.jmx.Credentials;
import io.iocagent.jmx.JmxSurface;
import io.iocagent.jmx.Role;
import io.iocagent.ops.LogCapture;
import io.iocagent.posix.Account;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.EpicsBase;
import io.iocagent.testbed.EpicsIoc;
import io.iocagent.testbed.TestBed;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.management.AttributeChangeNotification;
import javax.management.RuntimeMBeanException;
import javax.management.MBeanServerConnection;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * EPICS-aware health through the agent's own surfaces, as an operator's tools see it: real softIocs
 * under procServ and the user manager, the agent daemon with its hang probe at the default
 * settings, a real JMX client over the remote connector (a viewer's connection for attributes and
 * notifications, an operator's for operations), and a
 * real Prometheus server scraping {@code /metrics} (so the exposition text is parsed by Prometheus
 * itself) with the shipped configuration and alert rules.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EpicsHealthIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String JOB = "ioc-agent";
    private static final ObjectName MANAGER = JmxSurface.MANAGER;

    private static TestBed bed;
    private static EpicsBase epics;
    private static AgentDaemon agent;
    private static PrometheusServer prometheus;
    private static final String OPERATOR = "olivia";
    private static final String OPERATOR_PASSWORD = "op-secret";
    private static final String VIEWER = "victor";
    private static final String VIEWER_PASSWORD = "view-secret";

    private static int jmxPort;
    /** The viewer's connection: attributes and notifications. */
    private static JMXConnector jmx;
    private static MBeanServerConnection mbeans;
    /** The operator's connection: operations ({@code whichIoc}). */
    private static JMXConnector operatorJmx;
    /** IOCs the agent is told a heartbeat PV of before it starts: one that serves it, one that does not. */
    private static String beating;
    private static String misconfigured;
    private static LogCapture probeLog;
    private static final java.util.Deque<AutoCloseable> OPENED = new java.util.ArrayDeque<>();

    @BeforeAll
    static void startAgentPrometheusAndJmxClient() throws Exception {
        Path binary = PrometheusServer.binary();
        bed = opened(TestBed.open());
        epics = EpicsBase.require();
        Path credentials = bed.root().resolve("credentials");
        Files.writeString(credentials,
                OPERATOR + ":" + Role.OPERATOR.text() + ":" + Credentials.hash(OPERATOR_PASSWORD.toCharArray(), Credentials.MIN_ITERATIONS) + "\n"
                + VIEWER + ":" + Role.VIEWER.text() + ":" + Credentials.hash(VIEWER_PASSWORD.toCharArray(), Credentials.MIN_ITERATIONS) + "\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            jmxPort = s.getLocalPort();
        }
        beating = bed.iocName("beat");
        misconfigured = bed.iocName("nobeat");
        probeLog = opened(new LogCapture("io.iocagent.probe.Circuit"));
        AgentSettings settings = AgentSettings.load(Optional.empty(), Map.of("jolokia.enabled", "false",
                "metrics.port", "0", "poll.interval", "1s", "jmx.remote.port", Integer.toString(jmxPort),
                "credentials.file", credentials.toString(),
                "probe.heartbeat.pv." + beating, beating + ":counter",
                "probe.heartbeat.pv." + misconfigured, misconfigured + ":no_such_heartbeat"));
        Account account = Account.current(bed.env());
        agent = opened(AgentDaemon.start(settings, Layout.resolve(Mode.LOCAL, bed.env(), account), account, bed.env(),
                bed.busAddress()));
        jmx = opened(connect(VIEWER, VIEWER_PASSWORD));
        mbeans = jmx.getMBeanServerConnection();
        operatorJmx = opened(connect(OPERATOR, OPERATOR_PASSWORD));
        Path dir = Files.createDirectories(bed.root().resolve("prometheus"));
        prometheus = opened(PrometheusServer.start(binary, dir, PrometheusServer.shippedConfigScraping(dir,
                URI.create(agent.metricsUrl().orElseThrow()).getAuthority())));
        awaitData("the agent scraped (up == 1)", "up{job=\"" + JOB + "\"} == 1");
    }

    /** Closes what the set-up opened, the last first. */
    @AfterAll
    static void stopEverything() throws Exception {
        while (!OPENED.isEmpty()) {
            OPENED.pop().close();
        }
    }

    private static <T extends AutoCloseable> T opened(T resource) {
        OPENED.push(resource);
        return resource;
    }

    @Test
    void aStoppedSoftIocIsHungInJmxAndPrometheusOnceAndReadyAgainAfterContinue() throws Exception {
        EpicsBase.Ports ports = EpicsBase.Ports.free();
        String ioc = installed("hung", ports);
        String standin = bed.iocName("noca");
        Path boot = bed.iocBoot(standin, Behaviour.HEALTHY);
        assertEquals(0, cli("--local", "generate", boot.toString()), "generate " + standin);
        assertEquals(0, cli("--local", "install", boot.toString()), "install " + standin);
        ObjectName bean = JmxSurface.iocObjectName(new IocName(ioc));
        TestBed.await(WAIT, "the MBean of " + ioc + " over remote JMX", () -> registered(bean));
        List<String> readiness = new CopyOnWriteArrayList<>();
        NotificationListener listener = (n, handback) -> {
            if (n instanceof AttributeChangeNotification a && a.getAttributeName().equals("Readiness")) {
                readiness.add(String.valueOf(a.getNewValue()));
            }
        };
        mbeans.addNotificationListener(bean, listener, null, null);
        try {
            assertEquals(0, cli("--local", "start", ioc), "start " + ioc);
            assertEquals(0, cli("--local", "start", standin), "start " + standin);
            TestBed.await(WAIT, "IOC " + ioc + ": READY and answering the probe over JMX",
                    () -> "READY".equals(attribute(bean, "Readiness")) && Integer.valueOf(1).equals(attribute(bean, "Responsive")));
            awaitData(ioc + " responsive in Prometheus", "epics_ioc_responsive{ioc=\"" + ioc + "\"} == 1");
            awaitData(ioc + "'s probe latency in Prometheus", "epics_ioc_probe_seconds{ioc=\"" + ioc + "\"} >= 0");
            int child = ((Number) attribute(bean, "ChildPid")).intValue();
            assertTrue(child > 0, "IOC " + ioc + ": a child PID over JMX, got " + child);

            try {
                signal("STOP", child);
                TestBed.await(WAIT, "IOC " + ioc + ": Readiness HUNG over JMX after kill -STOP of child " + child,
                        () -> "HUNG".equals(attribute(bean, "Readiness")));
                assertEquals(0, ((Number) attribute(bean, "Responsive")).intValue(), "IOC " + ioc + ": Responsive over JMX");
                assertEquals("active", attribute(bean, "ActiveState"), "IOC " + ioc + ": the unit stays active");
                awaitData(ioc + " unresponsive in Prometheus", "epics_ioc_responsive{ioc=\"" + ioc + "\"} == 0");
                awaitData(ioc + " HUNG in Prometheus", "epics_ioc_readiness{ioc=\"" + ioc + "\",state=\"HUNG\"} == 1");
                awaitData(ioc + " not ready in Prometheus", "epics_ioc_ready{ioc=\"" + ioc + "\"} == 0");
                awaitData("IocHung pending for " + ioc,
                        "ALERTS{alertname=\"IocHung\",ioc=\"" + ioc + "\",alertstate=\"pending\"}");
                assertTrue(prometheus.query("epics_ioc_responsive{ioc=\"" + standin + "\"}").isEmpty(),
                        "stand-in " + standin + " serves no CA: no epics_ioc_responsive series");
                TestBed.await(WAIT, "the HUNG notification over remote JMX", () -> readiness.contains("HUNG"));
                assertEquals(1.0, detailStat("Hung", ioc), "the detail dashboard's Hung stat for " + ioc);
            } finally {
                signal("CONT", child);
            }
            TestBed.await(WAIT, "IOC " + ioc + ": READY again over JMX after kill -CONT",
                    () -> "READY".equals(attribute(bean, "Readiness")) && Integer.valueOf(1).equals(attribute(bean, "Responsive")));
            awaitData(ioc + " responsive again in Prometheus", "epics_ioc_responsive{ioc=\"" + ioc + "\"} == 1");
            TestBed.await(WAIT, "the detail dashboard's Hung stat back to 0 for " + ioc, () -> detailStat("Hung", ioc) == 0.0);
            assertFalse(prometheus.query(detailQuery("Channel Access probe round trip", ioc)).isEmpty(),
                    "the detail dashboard's probe round trip for " + ioc);
            assertEquals(child, ((Number) attribute(bean, "ChildPid")).intValue(), "IOC " + ioc + ": the same child answers again");
            TestBed.await(WAIT, "the READY notification over remote JMX",
                    () -> readiness.lastIndexOf("READY") > readiness.indexOf("HUNG"));
            assertEquals(1, readiness.stream().filter("HUNG"::equals).count(),
                    "IOC " + ioc + ": HUNG notified once over remote JMX, heard " + readiness);
            assertEquals("READY", attribute(JmxSurface.iocObjectName(new IocName(standin)), "Readiness"),
                    "stand-in " + standin + " is never HUNG");
        } finally {
            mbeans.removeNotificationListener(bean, listener);
            cli("--local", "stop", ioc);
            cli("--local", "stop", standin);
        }
    }

    @Test
    void aHeartbeatPvThatStopsChangingMakesItsIocHungWhileItsCaServerStillAnswers() throws Exception {
        EpicsBase.Ports ports = EpicsBase.Ports.free();
        EpicsBase.Ports otherPorts = EpicsBase.Ports.free();
        assertEquals(beating, installed("beat", ports));
        assertEquals(misconfigured, installed("nobeat", otherPorts));
        ObjectName bean = JmxSurface.iocObjectName(new IocName(beating));
        ObjectName other = JmxSurface.iocObjectName(new IocName(misconfigured));
        String heartbeat = beating + ":counter";
        try {
            assertEquals(0, cli("--local", "start", beating), "start " + beating);
            assertEquals(0, cli("--local", "start", misconfigured), "start " + misconfigured);
            for (ObjectName b : List.of(bean, other)) {
                TestBed.await(WAIT, b + ": READY and answering the probe over JMX",
                        () -> "READY".equals(attribute(b, "Readiness")) && Integer.valueOf(1).equals(attribute(b, "Responsive")));
            }
            TestBed.await(WAIT, "one warning that " + misconfigured + "'s heartbeat PV is not served", () -> probeLog.lines()
                    .stream().anyMatch(l -> l.contains(misconfigured + ":no_such_heartbeat' is not served by this IOC")));

            // The heartbeat (a calc record counting up every second) stops: its scan is set to Passive.
            EpicsBase.ToolRun stop = epics.run(epics.clientEnv(ports), 20, "caput", "-t", heartbeat + ".SCAN", "Passive");
            assertEquals(0, stop.exit(), "caput " + heartbeat + ".SCAN Passive: " + stop.out());
            try {
                TestBed.await(WAIT, "IOC " + beating + ": HUNG over JMX once its heartbeat stopped changing",
                        () -> "HUNG".equals(attribute(bean, "Readiness")));
                EpicsBase.ToolRun read = epics.run(epics.clientEnv(ports), 20, "caget", "-w", "5", "-t", beating + ":temperature");
                assertEquals(0, read.exit(), "the CA server of " + beating + " still answers while HUNG: " + read.out());
                assertEquals("active", attribute(bean, "ActiveState"), "IOC " + beating + ": the unit stays active");
                awaitData(beating + " HUNG in Prometheus", "epics_ioc_readiness{ioc=\"" + beating + "\",state=\"HUNG\"} == 1");
                // The IOC whose heartbeat PV does not exist was probed as long: never HUNG, still answering.
                assertEquals("READY", attribute(other, "Readiness"), "IOC " + misconfigured + " with an unserved heartbeat PV");
                assertEquals(1, attribute(other, "Responsive"), "IOC " + misconfigured + ": Responsive");
            } finally {
                epics.run(epics.clientEnv(ports), 20, "caput", "-t", heartbeat + ".SCAN", "1 second");
            }
            TestBed.await(WAIT, "IOC " + beating + ": READY again over JMX once its heartbeat counts again",
                    () -> "READY".equals(attribute(bean, "Readiness")) && Integer.valueOf(1).equals(attribute(bean, "Responsive")));
            assertEquals(1, probeLog.lines().stream().filter(l -> l.contains(misconfigured + ":no_such_heartbeat'")).count(),
                    "one warning for the unserved heartbeat PV: " + probeLog.lines());
        } finally {
            cli("--local", "stop", beating);
            cli("--local", "stop", misconfigured);
        }
    }

    @Test
    void whichIocOverRemoteJmxNamesTheSoftIocServingAPvAndNoneForAnUnknownOne() throws Exception {
        EpicsBase.Ports ports = EpicsBase.Ports.free();
        String ioc = installed("which", ports);
        try {
            assertEquals(0, cli("--local", "start", ioc), "start " + ioc);
            ObjectName bean = JmxSurface.iocObjectName(new IocName(ioc));
            TestBed.await(WAIT, "IOC " + ioc + ": READY with its CA server over JMX",
                    () -> "READY".equals(attribute(bean, "Readiness")) && Integer.valueOf(ports.ca()).equals(attribute(bean, "CaServerPort")));

            CompositeData served = which(ioc + ":temperature");
            assertEquals(ioc + ":temperature", served.get("pv"));
            CompositeData[] by = (CompositeData[]) served.get("servedBy");
            assertEquals(1, by.length, "one IOC serves " + ioc + ":temperature: " + List.of(by));
            assertEquals(ioc, by[0].get("ioc"));
            assertEquals(bed.unit(ioc), by[0].get("unit"));
            assertEquals("active", by[0].get("activeState"));
            assertEquals(ports.ca(), by[0].get("caServerPort"));
            assertTrue(((Number) served.get("asked")).intValue() >= 1, "asked " + served.get("asked"));

            CompositeData field = which(ioc + ":temperature.EGU");
            assertEquals(1, ((CompositeData[]) field.get("servedBy")).length, "a field of a served record is served");

            CompositeData none = which(ioc + ":no_such_record");
            assertEquals(0, ((CompositeData[]) none.get("servedBy")).length, "nobody serves an unknown PV");
            assertTrue(((Number) none.get("asked")).intValue() >= 1, "the IOCs were still asked: " + none);
        } finally {
            cli("--local", "stop", ioc);
        }
    }

    @Test
    void whichIocOverRemoteJmxRefusesHostilePvNamesWithoutAskingOrEchoingThem() throws Exception {
        String oversized = "X".repeat(1025);
        String escape = "x\u001b[2Jy";
        String nul = "a\u0000b";
        String newline = "IOC:temp\nforged log line";
        for (String pv : List.of(oversized, escape, nul, newline, "", " ")) {
            // A bad argument: the MBean server wraps the IllegalArgumentException for the client.
            RuntimeMBeanException e = assertThrows(RuntimeMBeanException.class, () -> which(pv),
                    "whichIoc must refuse PV name " + printable(pv));
            assertTrue(e.getCause() instanceof IllegalArgumentException, "cause: " + e.getCause());
            String message = e.getCause().getMessage();
            assertTrue(message.startsWith("Cannot ask for PV: The PV name "), printable(message));
            assertFalse(message.contains("\u001b") || message.contains("\u0000") || message.contains("\nforged"),
                    "the refusal must not echo control characters: " + printable(message));
            assertTrue(message.length() < 600, "the refusal must not echo an oversized name: " + message.length() + " chars");
        }
        // The manager still answers after the refusals.
        assertEquals(0, ((CompositeData[]) which("nobody:serves:this").get("servedBy")).length);
    }

    @Test
    void aViewerCannotCallWhichIocOverRemoteJmx() {
        // Remote JMX gives viewers the JDK's readonly access: attributes and notifications, no operation.
        SecurityException e = assertThrows(SecurityException.class, () -> mbeans.invoke(MANAGER, "whichIoc",
                new Object[] {"any:pv"}, new String[] {String.class.getName()}));
        assertTrue(e.getMessage().contains("Access denied"), e.getMessage());
    }

    private static CompositeData which(String pv) throws Exception {
        return (CompositeData) operatorJmx.getMBeanServerConnection().invoke(MANAGER, "whichIoc", new Object[] {pv},
                new String[] {String.class.getName()});
    }

    private static JMXConnector connect(String user, String password) throws java.io.IOException {
        return JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"),
                Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }

    /** Generates, installs (with its own ports in the conf) a healthy softIoc named {@code bed.iocName(base)}. */
    private static String installed(String base, EpicsBase.Ports ports) throws Exception {
        String name = bed.iocName(base);
        Path dir = bed.epicsBoot(name, EpicsIoc.HEALTHY, false, name + ":");
        assertEquals(0, cli("--local", "generate", dir.toString()), "generate " + name);
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, ports.confLines(), StandardOpenOption.APPEND);
        assertEquals(0, cli("--local", "install", conf.toString()), "install " + name);
        return name;
    }

    private static boolean registered(ObjectName bean) {
        try {
            return mbeans.isRegistered(bean);
        } catch (Exception e) {
            return false;
        }
    }

    private static Object attribute(ObjectName bean, String attribute) {
        try {
            return mbeans.getAttribute(bean, attribute);
        } catch (Exception e) {
            return null;
        }
    }

    /** A panel's first query of the detail dashboard, with Grafana's variables set to this agent and {@code ioc}. */
    private static String detailQuery(String panel, String ioc) {
        Dashboards.Dashboard detail = Dashboards.shipped().stream()
                .filter(d -> "epics-ioc-detail".equals(d.json().get("uid"))).findFirst()
                .orElseThrow(() -> new AssertionError("no dashboard with uid epics-ioc-detail"));
        Dashboards.Target t = detail.targets().stream().filter(x -> x.panel().equals(panel)).findFirst()
                .orElseThrow(() -> new AssertionError("no panel '" + panel + "' in " + detail.title()));
        return Dashboards.substitute(t.expr(), Map.of("job", JOB,
                "instance", URI.create(agent.metricsUrl().orElseThrow()).getAuthority(), "ioc", ioc,
                "datasource", "prometheus", "__rate_interval", "1m", "__interval", "15s", "__range", "5m"));
    }

    /** The current value of a stat panel of the detail dashboard for {@code ioc}, NaN when it has no data. */
    private static double detailStat(String panel, String ioc) {
        List<Object> result = prometheus.query(detailQuery(panel, ioc));
        return result.size() != 1 ? Double.NaN
                : Double.parseDouble(String.valueOf(Dashboards.list(Dashboards.map(result.get(0)).get("value")).get(1)));
    }

    private static void awaitData(String what, String promql) {
        TestBed.await(WAIT, what + " (" + promql + ")", () -> !prometheus.query(promql).isEmpty());
    }

    private static void signal(String signal, int pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + signal + " " + pid);
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + ")" : s;
        return cut.codePoints().collect(StringBuilder::new, (b, c) -> b.append(c < 0x20 ? "\\x" + Integer.toHexString(c) : Character.toString(c)),
                StringBuilder::append).toString();
    }

    private static int cli(String... args) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        return io.iocagent.cli.Main.run(List.of(args), bed.env(), new ByteArrayInputStream(new byte[0]), quiet, quiet, false);
    }
}
