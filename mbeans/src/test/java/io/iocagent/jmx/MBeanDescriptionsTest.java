package io.iocagent.jmx;

import static io.iocagent.jmx.FakeSnapshotSource.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.model.Readiness;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.management.AttributeChangeNotification;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What JConsole, Jolokia and jmxterm show: the MBeanInfo of both MBeans as registered. */
class MBeanDescriptionsTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final FakeSnapshotSource source = new FakeSnapshotSource();
    private JmxSurface surface;
    private final ObjectName ioc = JmxSurface.iocObjectName(new IocName("alpha"));

    @BeforeEach
    void register() throws Exception {
        source.publish(ioc("alpha", "active", Readiness.READY));
        surface = JmxSurface.register(server, source, new Operations((t, f) -> {
            throw new AssertionError("not called");
        }, source::refresh));
    }

    @AfterEach
    void close() {
        surface.close();
    }

    /** Every text a console shows that the JDK would otherwise fill with a placeholder. */
    private static List<String> undescribed(MBeanInfo info) {
        List<String> missing = new ArrayList<>();
        if (info.getDescription() == null || info.getDescription().startsWith("Information on the management interface")) {
            missing.add("MBean");
        }
        for (MBeanAttributeInfo a : info.getAttributes()) {
            if (a.getDescription() == null || a.getDescription().isBlank() || a.getDescription().equals(a.getName())
                    || a.getDescription().equals("Attribute exposed for management")) {
                missing.add(a.getName());
            }
        }
        for (MBeanOperationInfo o : info.getOperations()) {
            if (o.getDescription() == null || o.getDescription().equals("Operation exposed for management")
                    || o.getDescription().equals(o.getName())) {
                missing.add(o.getName() + "()");
            }
            for (MBeanParameterInfo p : o.getSignature()) {
                if (p.getName().matches("p\\d+") || p.getDescription() == null || p.getDescription().isBlank()
                        || p.getDescription().equals(p.getName())) {
                    missing.add(o.getName() + "(" + p.getName() + ")");
                }
            }
        }
        return missing;
    }

    @Test
    void everyIocMBeanSharesOneDescribedInfoAndItsDescriptionsStay() throws Exception {
        source.publish(ioc("alpha", "active", Readiness.READY), ioc("beta", "inactive", Readiness.STOPPED));
        ObjectName beta = JmxSurface.iocObjectName(new IocName("beta"));
        assertSame(server.getMBeanInfo(ioc), server.getMBeanInfo(beta),
                "IOC MBeans of one interface share one immutable MBeanInfo rather than a copy each");
        assertEquals(List.of(), undescribed(server.getMBeanInfo(beta)), "the shared info keeps every description");
        assertNotSame(server.getMBeanInfo(ioc), server.getMBeanInfo(JmxSurface.MANAGER), "the manager has its own info");
    }

    @Test
    void everyAttributeOperationAndParameterOfBothMBeansHasADescription() throws Exception {
        assertEquals(List.of(), undescribed(server.getMBeanInfo(ioc)));
        assertEquals(List.of(), undescribed(server.getMBeanInfo(JmxSurface.MANAGER)));
    }

    @Test
    void theIocMBeanHasTheIssuesAttributesAndOperationsUnderTheirNames() throws Exception {
        MBeanInfo info = server.getMBeanInfo(ioc);
        List<String> attributes = Arrays.stream(info.getAttributes()).map(MBeanAttributeInfo::getName).toList();
        for (String a : List.of("Name", "ActiveState", "SubState", "Enabled", "Readiness", "MainPid", "ChildPid",
                "CpuSeconds", "MemoryBytes", "ServiceRestarts", "ChildRestarts", "StartedAt", "UptimeSeconds",
                "SocketPath", "SocketState", "ConsoleClientCount", "ConsoleClients", "RecvQueue", "SendQueue",
                "ConfPath", "LogPath", "Command", "WorkingDirectory", "LastError")) {
            assertTrue(attributes.contains(a), a + " in " + attributes);
        }
        assertTrue(Arrays.stream(info.getAttributes()).noneMatch(MBeanAttributeInfo::isWritable), "all read-only");
        Map<String, MBeanOperationInfo> ops = Arrays.stream(info.getOperations())
                .collect(Collectors.toMap(MBeanOperationInfo::getName, o -> o));
        assertEquals(List.of("start", "stop", "restart", "enable", "disable", "inspect", "tailLog", "view").stream().sorted().toList(),
                ops.keySet().stream().sorted().toList());
        assertEquals("lines", ops.get("tailLog").getSignature()[0].getName());
        assertEquals(MBeanOperationInfo.ACTION, ops.get("stop").getImpact());
        assertEquals(MBeanOperationInfo.INFO, ops.get("view").getImpact());
    }

    @Test
    void managerOperationsNameTheirParameters() throws Exception {
        Map<String, MBeanOperationInfo> ops = Arrays.stream(server.getMBeanInfo(JmxSurface.MANAGER).getOperations())
                .collect(Collectors.toMap(MBeanOperationInfo::getName, o -> o));
        for (String op : List.of("install", "installForce")) {
            assertEquals(List.of("path"), Arrays.stream(ops.get(op).getSignature()).map(MBeanParameterInfo::getName).toList(), op);
        }
        for (String op : List.of("generate", "generateForce")) {
            assertEquals(List.of("dir"), Arrays.stream(ops.get(op).getSignature()).map(MBeanParameterInfo::getName).toList(), op);
        }
        for (String op : List.of("remove", "start", "stop", "restart", "enable", "disable", "inspect")) {
            assertEquals("name", ops.get(op).getSignature()[0].getName(), op);
        }
        assertEquals(0, ops.get("refresh").getSignature().length);
        assertEquals(0, ops.get("list").getSignature().length);
    }

    @Test
    void theIocMBeanAnnouncesAttributeChangeNotifications() throws Exception {
        var notifications = server.getMBeanInfo(ioc).getNotifications();
        assertEquals(1, notifications.length);
        assertEquals(AttributeChangeNotification.class.getName(), notifications[0].getName());
        assertEquals(List.of(AttributeChangeNotification.ATTRIBUTE_CHANGE), List.of(notifications[0].getNotifTypes()));
        assertFalse(notifications[0].getDescription().isBlank());
        assertEquals(0, server.getMBeanInfo(JmxSurface.MANAGER).getNotifications().length);
    }

    /** An MXBean interface missing a description. */
    @Description("half described")
    public interface HalfMXBean {
        @Description("fine")
        int getFine();

        int getForgotten();
    }

    @Test
    void anInterfaceWithAnUndescribedMethodIsRefusedAtConstruction() {
        HalfMXBean half = new HalfMXBean() {
            @Override
            public int getFine() {
                return 1;
            }

            @Override
            public int getForgotten() {
                return 2;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DescribedMBean(half, HalfMXBean.class, new NotificationBroadcasterSupport()));
        assertTrue(e.getMessage().contains("getForgotten()"), e.getMessage());
    }

    @Test
    void noManagerOperationTakesABooleanThatAConsoleWouldPreFillWithTrue() throws Exception {
        for (MBeanOperationInfo op : server.getMBeanInfo(JmxSurface.MANAGER).getOperations()) {
            for (MBeanParameterInfo p : op.getSignature()) {
                assertTrue(!p.getType().equals("boolean") && !p.getType().equals(Boolean.class.getName()),
                        "Manager." + op.getName() + " takes boolean '" + p.getName()
                                + "': JConsole pre-fills it with true, so overwriting would be the default");
            }
        }
    }
}
