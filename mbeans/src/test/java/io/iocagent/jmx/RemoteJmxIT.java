package io.iocagent.jmx;

import static io.iocagent.jmx.FakeSnapshotSource.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.iocagent.conf.IocName;
import io.iocagent.ops.LogCapture;
import io.iocagent.model.Readiness;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.AttributeChangeNotification;
import javax.management.JMX;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MBeans on the platform MBeanServer, driven by a fake snapshot source, reached through a real
 * {@link RemoteJmx} connector on a fixed loopback port: by the JDK's JMX client and by jmxterm.
 * Operations run the real operation classes on a temporary layout (no systemd needed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteJmxIT {

    private static final String VIEWER = "vic";
    private static final String VIEWER_PASSWORD = "look-but-do-not-touch";
    private static final String OPERATOR = "olga";
    private static final String OPERATOR_PASSWORD = "s3cret op";

    private final FakeSnapshotSource source = new FakeSnapshotSource();
    private JmxSurface surface;
    private RemoteJmx remote;
    private int port;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        source.publish(ioc("alpha", "inactive", Readiness.STOPPED), ioc("beta", "active", Readiness.READY));
        Operations operations = new Operations(new OfflineSessions(dir), source::refresh);
        surface = JmxSurface.register(ManagementFactory.getPlatformMBeanServer(), source, operations);
        Path credentials = dir.resolve("credentials");
        Files.write(credentials, List.of("# test users",
                CredentialsTest.entry(VIEWER, Role.VIEWER, VIEWER_PASSWORD),
                CredentialsTest.entry(OPERATOR, Role.OPERATOR, OPERATOR_PASSWORD)));
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        port = freePort();
        remote = RemoteJmx.start(RemoteJmx.Config.loopback(port, Optional.of(credentials)),
                ManagementFactory.getPlatformMBeanServer());
    }

    @AfterAll
    void stop() {
        if (remote != null) {
            remote.close();
        }
        if (surface != null) {
            surface.close();
        }
    }

    /** A port free now on loopback; the connector then binds it fixed (registry and server alike). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private JMXConnector connect(String user, String password) throws IOException {
        return JMXConnectorFactory.connect(remote.serviceUrl(), Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }

    private static ObjectName mbean(String name) {
        return JmxSurface.iocObjectName(new IocName(name));
    }

    @Test
    void theServiceUrlIsTheUsualRegistryFormOnTheOnePort() {
        assertEquals("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi", remote.serviceUrl().toString());
    }

    @Test
    void aViewerReadsAttributesButMayNotInvokeOperations() throws Exception {
        try (JMXConnector c = connect(VIEWER, VIEWER_PASSWORD)) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();

            assertEquals(2, mbs.getAttribute(JmxSurface.MANAGER, "IocCount"));
            assertEquals("active", mbs.getAttribute(mbean("beta"), "ActiveState"));
            IocMXBean beta = JMX.newMXBeanProxy(mbs, mbean("beta"), IocMXBean.class);
            assertEquals("READY", beta.getReadiness());
            assertEquals("socat - UNIX:/run/x", beta.getConsoleClients().get(0).command());

            SecurityException denied = assertThrows(SecurityException.class,
                    () -> mbs.invoke(JmxSurface.MANAGER, "refresh", null, null));
            assertTrue(denied.getMessage().contains("Access denied"), denied.getMessage());
            assertThrows(SecurityException.class, () -> beta.stop());
        }
    }

    @Test
    void anOperatorInvokesRefreshAndTheSnapshotAdvances() throws Exception {
        int before = source.refreshes();
        try (JMXConnector c = connect(OPERATOR, OPERATOR_PASSWORD)) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();
            String summary = (String) mbs.invoke(JmxSurface.MANAGER, "refresh", null, null);

            assertEquals(before + 1, source.refreshes());
            assertTrue(summary.startsWith("Snapshot taken at " + Operations.iso(source.current().takenAt()) + ": 2 IOCs"), summary);
            assertEquals(Operations.iso(source.current().takenAt()), mbs.getAttribute(JmxSurface.MANAGER, "LastRefresh"));
        }
    }

    @Test
    void everyRemoteOperationIsAuditedWithTheUserTheRoleAndTheOutcome() throws Exception {
        try (LogCapture audit = LogCapture.audit()) {
            try (JMXConnector c = connect(VIEWER, VIEWER_PASSWORD)) {
                assertThrows(SecurityException.class, () -> c.getMBeanServerConnection().invoke(mbean("beta"), "stop", null, null));
            }
            try (JMXConnector c = connect(OPERATOR, OPERATOR_PASSWORD)) {
                MBeanServerConnection mbs = c.getMBeanServerConnection();
                mbs.invoke(JmxSurface.MANAGER, "refresh", null, null);
                assertThrows(MBeanException.class, () -> mbs.invoke(JmxSurface.MANAGER, "start",
                        new Object[] {"ghost"}, new String[] {String.class.getName()}));
                mbs.getAttribute(JmxSurface.MANAGER, "IocCount"); // reads are not operations: no line
            }
            List<String> all = audit.await(5);
            assertEquals(5, all.size(), "the refusal, then a begin and an end line per operator call: " + all);
            assertTrue(all.get(1).contains("member=refresh detail=[] outcome=started"), all.get(1));
            assertTrue(all.get(3).contains("member=start detail=[ghost] outcome=started"), all.get(3));
            List<String> lines = all.stream().filter(l -> !l.contains("outcome=started")).toList();
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("surface=jmx user=" + VIEWER + " role=viewer remote=127.0.0.1 action=exec ioc=beta"
                    + " mbean=\"epics.ioc:name=beta,type=Ioc\" member=stop"), lines.get(0));
            assertTrue(lines.get(0).contains("outcome=denied message=\"Access denied!"), lines.get(0));
            assertTrue(lines.get(1).startsWith("surface=jmx user=" + OPERATOR + " role=operator"), lines.get(1));
            assertTrue(lines.get(1).contains("member=refresh detail=[] outcome=ok"), lines.get(1));
            assertTrue(lines.get(2).contains("ioc=ghost mbean=\"epics.ioc:type=Manager\" member=start detail=[ghost] outcome=failed"),
                    lines.get(2));
            assertTrue(lines.get(2).contains("No configuration found for IOC 'ghost'"), lines.get(2));
        }
    }

    @Test
    void anOperatorMayNotInvokeOperationsOutsideEpicsIoc() throws Exception {
        ObjectName diagnostic = new ObjectName("com.sun.management:type=DiagnosticCommand");
        ObjectName memory = new ObjectName("java.lang:type=Memory");
        try (LogCapture audit = LogCapture.audit(); JMXConnector c = connect(OPERATOR, OPERATOR_PASSWORD)) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();

            SecurityException vm = assertThrows(SecurityException.class, () -> mbs.invoke(diagnostic, "vmVersion", null, null));
            assertTrue(vm.getMessage().contains("Remote JMX allows exec only on epics.ioc MBeans"), vm.getMessage());
            assertThrows(SecurityException.class, () -> mbs.invoke(memory, "gc", null, null));
            assertThrows(SecurityException.class, () -> mbs.setAttribute(memory, new javax.management.Attribute("Verbose", true)));
            assertEquals(false, mbs.getAttribute(memory, "Verbose"), "reads stay allowed, and nothing was changed");

            List<String> lines = audit.await(3);
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("member=vmVersion") && lines.get(0).contains("outcome=denied"), lines.get(0));
            assertTrue(lines.get(2).contains("action=write") && lines.get(2).contains("outcome=denied"), lines.get(2));
        }
    }

    @Test
    void aWrongPasswordAndAnUnknownUserAreRefusedAlike() {
        SecurityException wrong = assertThrows(SecurityException.class, () -> connect(OPERATOR, VIEWER_PASSWORD));
        SecurityException unknown = assertThrows(SecurityException.class, () -> connect("mallory", OPERATOR_PASSWORD));
        SecurityException none = assertThrows(SecurityException.class,
                () -> JMXConnectorFactory.connect(remote.serviceUrl(), Map.of()));

        assertEquals("Invalid user name or password.", wrong.getMessage());
        assertEquals(wrong.getMessage(), unknown.getMessage());
        assertTrue(none.getMessage().startsWith("Authentication required"), none.getMessage());
    }

    @Test
    void aRemoteListenerReceivesTheReadinessChangeTheSourcePublishes() throws Exception {
        try (JMXConnector c = connect(VIEWER, VIEWER_PASSWORD)) {
            BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
            c.getMBeanServerConnection().addNotificationListener(mbean("alpha"), (n, h) -> received.add(n), null, null);

            source.publish(ioc("alpha", "inactive", Readiness.UNKNOWN), ioc("beta", "active", Readiness.READY));

            Notification n = received.poll(20, TimeUnit.SECONDS);
            assertNotNull(n, "no notification over the connector");
            AttributeChangeNotification change = assertInstanceOf(AttributeChangeNotification.class, n);
            assertEquals("Readiness", change.getAttributeName());
            assertEquals("STOPPED", change.getOldValue());
            assertEquals("UNKNOWN", change.getNewValue());
            assertEquals(mbean("alpha"), change.getSource());
        } finally {
            source.publish(ioc("alpha", "inactive", Readiness.STOPPED), ioc("beta", "active", Readiness.READY));
        }
    }

    @Test
    void iocMBeansAppearAndDisappearForRemoteClients() throws Exception {
        try (JMXConnector c = connect(VIEWER, VIEWER_PASSWORD)) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();
            ObjectName all = new ObjectName("epics.ioc:type=Ioc,*");
            assertEquals(Set.of(mbean("alpha"), mbean("beta")), mbs.queryNames(all, null));

            source.publish(ioc("beta", "active", Readiness.READY), ioc("gamma", "activating", Readiness.STARTING));
            assertEquals(Set.of(mbean("beta"), mbean("gamma")), mbs.queryNames(all, null));
            assertEquals("STARTING", mbs.getAttribute(mbean("gamma"), "Readiness"));
        } finally {
            source.publish(ioc("alpha", "inactive", Readiness.STOPPED), ioc("beta", "active", Readiness.READY));
        }
    }

    @Test
    void aFailedOperationReachesTheRemoteCallerWithTheCommandLinesMessage() throws Exception {
        try (JMXConnector c = connect(OPERATOR, OPERATOR_PASSWORD)) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();

            MBeanException failed = assertThrows(MBeanException.class, () -> mbs.invoke(JmxSurface.MANAGER, "start",
                    new Object[] {"ghost"}, new String[] {String.class.getName()}));
            assertTrue(failed.getMessage().contains("No configuration found for IOC 'ghost'"), failed.getMessage());

            RuntimeMBeanException bad = assertThrows(RuntimeMBeanException.class, () -> mbs.invoke(JmxSurface.MANAGER,
                    "stop", new Object[] {"../x"}, new String[] {String.class.getName()}));
            IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, bad.getTargetException());
            assertTrue(cause.getMessage().startsWith("Invalid IOC name '../x'."), cause.getMessage());

            ManagerMXBean manager = JMX.newMXBeanProxy(mbs, JmxSurface.MANAGER, ManagerMXBean.class);
            MBeanException viaProxy = assertThrows(MBeanException.class, () -> manager.enable("ghost"));
            assertTrue(viaProxy.getMessage().contains("-> Nothing to enable"), viaProxy.getMessage());
        }
    }

    @Test
    void theConnectorListensOnLoopbackOnly() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        }
        List<InetAddress> others = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    others.add(a);
                }
            }
        }
        Assumptions.assumeFalse(others.isEmpty(), "this machine has no non-loopback address to try");
        for (InetAddress a : others) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(a, port), 2000);
                fail("port " + port + " answered on " + a);
            } catch (IOException expected) {
                // refused: nothing listens there
            }
        }
    }

    @Test
    void withoutCredentialsLoopbackClientsAreAnonymousViewers() throws Exception {
        int anonymousPort = freePort();
        try (RemoteJmx open = RemoteJmx.start(RemoteJmx.Config.loopback(anonymousPort, Optional.empty()),
                ManagementFactory.getPlatformMBeanServer());
             JMXConnector c = JMXConnectorFactory.connect(open.serviceUrl(), null)) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();
            assertEquals(2, mbs.getAttribute(JmxSurface.MANAGER, "IocCount"));
            assertThrows(SecurityException.class, () -> mbs.invoke(JmxSurface.MANAGER, "refresh", null, null));
        }
    }

    // ---- jmxterm, a client that knows nothing of this project ----

    /** jmxterm's output for {@code commands}, run as {@code user}; stdout and stderr together. */
    private String jmxterm(String user, String password, String... commands) throws Exception {
        String jar = System.getProperty("jmxterm.jar", "");
        boolean present = !jar.isEmpty() && Files.isRegularFile(Path.of(jar));
        if (!present && TestBed.required()) {
            fail("jmxterm uber jar not found at '" + jar + "' (org.cyclopsgroup:jmxterm:1.0.4:uber, test scope)");
        }
        Assumptions.assumeTrue(present, "SKIPPED: jmxterm uber jar not found at '" + jar + "'");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar,
                "-l", "127.0.0.1:" + port, "-u", user, "-p", password, "-n", "-v", "brief")
                .redirectErrorStream(true).start();
        p.getOutputStream().write((String.join("\n", commands) + "\nquit\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "jmxterm did not exit");
        return out;
    }

    @Test
    void jmxtermReadsAnAttributeAsViewerAndIsDeniedRun() throws Exception {
        int before = source.refreshes();

        String out = jmxterm(VIEWER, VIEWER_PASSWORD,
                "get -b epics.ioc:type=Ioc,name=beta ActiveState Readiness",
                "run -b epics.ioc:type=Manager refresh");

        assertTrue(out.contains("ActiveState = active;"), out);
        assertTrue(out.contains("Readiness = READY;"), out);
        assertTrue(out.contains("Access denied"), out);
        assertEquals(before, source.refreshes(), "the viewer's run did not reach the operation");
    }

    @Test
    void jmxtermRunsRefreshAsOperatorAndIsRefusedAWrongPassword() throws Exception {
        int before = source.refreshes();

        String out = jmxterm(OPERATOR, OPERATOR_PASSWORD, "run -b epics.ioc:type=Manager refresh");

        assertTrue(out.contains("Snapshot taken at"), out);
        assertEquals(before + 1, source.refreshes());
        String refused = jmxterm(OPERATOR, "guess", "get -b epics.ioc:type=Manager IocCount");
        assertTrue(refused.contains("Invalid user name or password"), refused);
        assertFalse(refused.contains("IocCount = "), refused);
    }
}
