package io.iocagent.jmx;

import io.iocagent.conf.IocName;
import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Snapshot;
import io.iocagent.model.SnapshotSource;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's MBeans in one {@link MBeanServer}: the manager, and one IOC MBean per IOC of the
 * current snapshot — registered when an IOC appears, unregistered when it disappears, and
 * notifying {@code ActiveState}/{@code Readiness} changes — all driven by the
 * {@link SnapshotSource}'s listener (old and new snapshot). Registration follows the newest
 * snapshot as a whole (not just its differences), so a failed registration is retried on the next
 * snapshot.
 *
 * <p><b>Names.</b> {@code epics.ioc:type=Ioc,name=NAME} with NAME unquoted: an {@link IocName}
 * ({@code [A-Za-z0-9_][A-Za-z0-9_-]*}) contains none of the characters an ObjectName value must
 * quote ({@code , = : " * ?}, backslash, newline), so the name reads the same in JConsole, jmxterm
 * and Jolokia URLs. Snapshot entries whose name breaks the rule (none should) are skipped with a
 * warning rather than quoted into a second naming scheme.
 *
 * <p><b>Threads.</b> The listener runs on the refresher's thread and does only registration and
 * bookkeeping; notifications are delivered to listeners on one daemon thread of this surface, in
 * order. Public methods are thread-safe.
 */
public final class JmxSurface implements AutoCloseable {

    /** The ObjectName domain of every MBean of the agent. */
    public static final String DOMAIN = "epics.ioc";

    /** {@code epics.ioc:type=Manager}. */
    public static final ObjectName MANAGER = objectName(DOMAIN + ":type=Manager");

    private static final Logger LOG = LoggerFactory.getLogger(JmxSurface.class);

    private final MBeanServer server;
    private final SnapshotSource source;
    private final Operations operations;
    private final ExecutorService delivery;
    private final Map<String, IocBean> registered = new TreeMap<>(); // guarded by this
    private final Set<String> refused = new TreeSet<>(); // guarded by this; warned about once each
    private boolean closed; // guarded by this

    private JmxSurface(MBeanServer server, SnapshotSource source, Operations operations) {
        this.server = server;
        this.source = source;
        this.operations = operations;
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jmx-notifications");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Registers the manager and the IOCs of {@code source}'s current snapshot, and follows the
     * source from then on. The agent calls it once, with the platform MBeanServer.
     *
     * @throws JMException when the manager cannot be registered (for instance a second agent in
     *                     the same JVM); nothing stays registered then
     */
    public static JmxSurface register(MBeanServer server, SnapshotSource source, Operations operations)
            throws JMException {
        JmxSurface surface = new JmxSurface(Objects.requireNonNull(server, "server"),
                Objects.requireNonNull(source, "source"), Objects.requireNonNull(operations, "operations"));
        try {
            server.registerMBean(new DescribedMBean(new ManagerBean(source, operations), ManagerMXBean.class,
                    new NotificationBroadcasterSupport()), MANAGER);
        } catch (JMException | RuntimeException e) {
            surface.delivery.shutdown();
            throw e;
        }
        source.addListener(surface::follow);
        synchronized (surface) {
            surface.apply(null, source.current());
        }
        return surface;
    }

    /** {@code epics.ioc:type=Ioc,name=NAME}; see the class comment for why NAME is not quoted. */
    public static ObjectName iocObjectName(IocName name) {
        return objectName(DOMAIN + ":type=Ioc,name=" + name.value());
    }

    /** Names of the IOCs whose MBean is registered now, sorted. */
    public synchronized Set<String> registeredIocs() {
        return new TreeSet<>(registered.keySet());
    }

    /** Unregisters every MBean this surface registered and stops following the source. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (String name : new ArrayList<>(registered.keySet())) {
            unregister(name);
        }
        try {
            server.unregisterMBean(MANAGER);
        } catch (JMException e) {
            LOG.warn("could not unregister {}: {}", MANAGER, e.toString());
        }
        delivery.shutdown();
    }

    private synchronized void follow(Snapshot before, Snapshot after) {
        if (closed) {
            return;
        }
        try {
            apply(before, after);
        } catch (RuntimeException e) {
            // Never into the refresher: it must go on refreshing for the other surfaces.
            LOG.error("JMX surface could not follow the snapshot of {}", after.takenAt(), e);
        }
    }

    /** Makes the registered IOC MBeans those of {@code after}, then notifies the changes since {@code before}. */
    private void apply(Snapshot before, Snapshot after) {
        for (String name : new ArrayList<>(registered.keySet())) {
            if (!after.iocs().containsKey(name)) {
                unregister(name);
            }
        }
        for (IocSnapshot ioc : after.iocs().values()) {
            IocBean bean = registered.get(ioc.name());
            if (bean != null) {
                bean.seen(ioc);
            } else {
                register(ioc);
            }
        }
        if (before == null) {
            return;
        }
        for (SnapshotChanges.AttributeChange change : SnapshotChanges.between(before, after).changes()) {
            IocBean bean = registered.get(change.ioc());
            if (bean != null) {
                bean.announce(change, after.takenAt());
            }
        }
    }

    private void register(IocSnapshot ioc) {
        if (!IocName.isValid(ioc.name())) {
            if (refused.add(ioc.name())) {
                LOG.warn("not registering an MBean for '{}': not a valid IOC name", ioc.name());
            }
            return;
        }
        ObjectName name = iocObjectName(new IocName(ioc.name()));
        IocBean bean = new IocBean(ioc, name, source, operations, delivery);
        try {
            server.registerMBean(new DescribedMBean(bean, IocMXBean.class, bean), name);
            registered.put(ioc.name(), bean);
            refused.remove(ioc.name());
        } catch (JMException e) {
            if (refused.add(ioc.name())) {
                LOG.warn("could not register {} (retried at every snapshot): {}", name, e.toString());
            }
        }
    }

    private void unregister(String name) {
        IocBean bean = registered.remove(name);
        try {
            server.unregisterMBean(bean.objectName());
        } catch (JMException e) {
            LOG.warn("could not unregister {}: {}", bean.objectName(), e.toString());
        }
    }

    private static ObjectName objectName(String text) {
        try {
            return new ObjectName(text);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
