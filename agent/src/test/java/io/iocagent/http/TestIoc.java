package io.iocagent.http;

import java.lang.management.ManagementFactory;
import javax.management.AttributeChangeNotification;
import javax.management.JMException;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;

/** A stand-in for the agent's IOC MXBeans, registered as {@value #NAME} in the platform MBeanServer. */
final class TestIoc extends NotificationBroadcasterSupport implements TestIocMXBean {

    static final String NAME = "epics.ioc:type=Ioc,name=test";

    private int level;
    private long sequence;

    TestIoc() {
        super(new MBeanNotificationInfo(new String[] {AttributeChangeNotification.ATTRIBUTE_CHANGE},
                AttributeChangeNotification.class.getName(), "Level changed"));
    }

    static ObjectName objectName() {
        try {
            return new ObjectName(NAME);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Registers a fresh instance, replacing one a previous test class left. */
    static TestIoc register() throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        if (server.isRegistered(objectName())) {
            server.unregisterMBean(objectName());
        }
        TestIoc ioc = new TestIoc();
        server.registerMBean(ioc, objectName());
        return ioc;
    }

    static void unregister() throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        if (server.isRegistered(objectName())) {
            server.unregisterMBean(objectName());
        }
    }

    @Override
    public synchronized int getLevel() {
        return level;
    }

    @Override
    public synchronized void setLevel(int level) {
        this.level = level;
    }

    @Override
    public int bump() {
        int old;
        int now;
        long seq;
        synchronized (this) {
            old = level;
            now = ++level;
            seq = ++sequence;
        }
        sendNotification(new AttributeChangeNotification(objectName(), seq, System.currentTimeMillis(),
                "Level bumped", "Level", "int", old, now));
        return now;
    }

    @Override
    public void explode() {
        throw new IllegalStateException("stand-in failure: IOC 'test' cannot do that");
    }
}
