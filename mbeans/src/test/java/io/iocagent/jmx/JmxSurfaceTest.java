package io.iocagent.jmx;

import static io.iocagent.jmx.FakeSnapshotSource.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.model.Readiness;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.AttributeChangeNotification;
import javax.management.InstanceNotFoundException;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Registration and notifications against a private MBeanServer; operations are never called here. */
class JmxSurfaceTest {

    /** Notifications are delivered on their own thread: generous on a loaded machine, over as soon as one arrives. */
    private static final long NOTIFICATION_WAIT_SECONDS = 30;

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final FakeSnapshotSource source = new FakeSnapshotSource();
    private final Operations operations = new Operations((t, force) -> {
        throw new AssertionError("no operation runs in this test");
    }, source::refresh);
    private JmxSurface surface;

    @AfterEach
    void close() {
        if (surface != null) {
            surface.close();
        }
    }

    private Set<String> registeredIocNames() throws Exception {
        Set<String> names = new TreeSet<>();
        for (ObjectName n : server.queryNames(new ObjectName("epics.ioc:type=Ioc,*"), null)) {
            names.add(n.getKeyProperty("name"));
        }
        return names;
    }

    private static ObjectName name(String ioc) {
        return JmxSurface.iocObjectName(new IocName(ioc));
    }

    @Test
    void registersTheManagerAndOneMBeanPerIocOfTheCurrentSnapshot() throws Exception {
        source.publish(ioc("alpha", "active", Readiness.READY), ioc("beta", "inactive", Readiness.STOPPED));

        surface = JmxSurface.register(server, source, operations);

        assertTrue(server.isRegistered(JmxSurface.MANAGER));
        assertEquals(Set.of("alpha", "beta"), registeredIocNames());
        assertEquals(new ObjectName("epics.ioc:type=Ioc,name=alpha"), name("alpha"));
        assertEquals(2, server.getAttribute(JmxSurface.MANAGER, "IocCount"));
        assertEquals(1L, server.getAttribute(JmxSurface.MANAGER, "ReadyCount"));
    }

    @Test
    void iocsThatAppearAreRegisteredAndIocsThatDisappearAreUnregistered() throws Exception {
        source.publish(ioc("alpha", "active", Readiness.READY), ioc("beta", "active", Readiness.READY));
        surface = JmxSurface.register(server, source, operations);

        source.publish(ioc("beta", "active", Readiness.READY), ioc("gamma", "inactive", Readiness.STOPPED));

        assertEquals(Set.of("beta", "gamma"), registeredIocNames());
        assertEquals(Set.of("beta", "gamma"), surface.registeredIocs());
        assertThrows(InstanceNotFoundException.class, () -> server.getAttribute(name("alpha"), "ActiveState"));
    }

    @Test
    void attributesReadTheLatestSnapshot() throws Exception {
        source.publish(ioc("alpha", "inactive", Readiness.STOPPED));
        surface = JmxSurface.register(server, source, operations);
        assertEquals("inactive", server.getAttribute(name("alpha"), "ActiveState"));
        assertEquals("", server.getAttribute(name("alpha"), "StartedAt"));
        assertEquals(-1L, server.getAttribute(name("alpha"), "UptimeSeconds"));

        source.publish(ioc("alpha", "active", Readiness.READY));

        IocMXBean proxy = JMX.newMXBeanProxy(server, name("alpha"), IocMXBean.class);
        assertEquals("active", proxy.getActiveState());
        assertEquals("READY", proxy.getReadiness());
        assertEquals("2026-11-24T09:00:00Z", proxy.getStartedAt());
        assertEquals(4242, proxy.getMainPid());
        assertEquals(1, proxy.getConsoleClientCount());
        assertEquals("alice", proxy.getConsoleClients().get(0).user());
        CompositeData[] clients = (CompositeData[]) server.getAttribute(name("alpha"), "ConsoleClients");
        assertEquals(Set.of("pid", "user", "command"), clients[0].getCompositeType().keySet(),
                "record component names are the item names, verbatim");
        assertTrue(proxy.isEnabled());
        assertEquals(10_485_760L, proxy.getMemoryBytes());
    }

    @Test
    void readinessAndActiveStateChangesAreNotifiedWithOldAndNewValues() throws Exception {
        source.publish(ioc("alpha", "inactive", Readiness.STOPPED), ioc("beta", "active", Readiness.READY));
        surface = JmxSurface.register(server, source, operations);
        BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
        server.addNotificationListener(name("alpha"), (n, h) -> received.add(n), null, null);
        server.addNotificationListener(name("beta"), (n, h) -> received.add(n), null, null);

        source.publish(ioc("alpha", "active", Readiness.STARTING), ioc("beta", "active", Readiness.READY));

        AttributeChangeNotification state = next(received, "alpha's ActiveState change inactive -> active");
        AttributeChangeNotification readiness = next(received, "alpha's Readiness change STOPPED -> STARTING");
        assertEquals(AttributeChangeNotification.ATTRIBUTE_CHANGE, state.getType());
        assertEquals(name("alpha"), state.getSource());
        assertEquals("ActiveState", state.getAttributeName());
        assertEquals("inactive", state.getOldValue());
        assertEquals("active", state.getNewValue());
        assertEquals("Readiness", readiness.getAttributeName());
        assertEquals("STOPPED", readiness.getOldValue());
        assertEquals("STARTING", readiness.getNewValue());
        assertTrue(readiness.getSequenceNumber() > state.getSequenceNumber());
        source.publish(ioc("alpha", "inactive", Readiness.STOPPED), ioc("beta", "active", Readiness.READY));
        AttributeChangeNotification after = next(received, "alpha's ActiveState change active -> inactive");
        assertEquals(name("alpha"), after.getSource(),
                "beta never changed, so no notification of beta may come before alpha's next one: " + after);
        assertEquals("inactive", after.getNewValue());
    }

    /** The next notification, waiting at most {@link #NOTIFICATION_WAIT_SECONDS}; fails naming what was awaited. */
    private static AttributeChangeNotification next(BlockingQueue<Notification> received, String awaited)
            throws InterruptedException {
        Notification n = received.poll(NOTIFICATION_WAIT_SECONDS, TimeUnit.SECONDS);
        if (n == null) {
            throw new AssertionError("No notification within " + NOTIFICATION_WAIT_SECONDS + " s; awaited " + awaited);
        }
        if (!(n instanceof AttributeChangeNotification change)) {
            throw new AssertionError("Awaited " + awaited + ", got a " + n.getType() + " notification: " + n);
        }
        return change;
    }

    @Test
    void aSnapshotEntryThatIsNotAnIocNameGetsNoMBean() throws Exception {
        source.publish(ioc("good", "active", Readiness.READY), ioc("bad,name=x", "active", Readiness.READY));

        surface = JmxSurface.register(server, source, operations);

        assertEquals(Set.of("good"), registeredIocNames());
    }

    @Test
    void aNameTakenBySomeoneElseIsRetriedAtTheNextSnapshot() throws Exception {
        Runnable squatter = () -> { };
        server.registerMBean(new StandardMBean(squatter, Runnable.class), name("alpha"));
        source.publish(ioc("alpha", "active", Readiness.READY));
        surface = JmxSurface.register(server, source, operations);
        assertFalse(surface.registeredIocs().contains("alpha"));

        server.unregisterMBean(name("alpha"));
        source.publish(ioc("alpha", "active", Readiness.READY));

        assertEquals(Set.of("alpha"), surface.registeredIocs());
        assertEquals("active", server.getAttribute(name("alpha"), "ActiveState"));
    }

    @Test
    void closeUnregistersEverythingAndLaterSnapshotsChangeNothing() throws Exception {
        source.publish(ioc("alpha", "active", Readiness.READY));
        surface = JmxSurface.register(server, source, operations);

        surface.close();
        source.publish(ioc("alpha", "active", Readiness.READY), ioc("beta", "active", Readiness.READY));

        assertFalse(server.isRegistered(JmxSurface.MANAGER));
        assertEquals(Set.of(), registeredIocNames());
    }
}
