package io.iocagent.http;

import io.iocagent.jmx.JvmReads;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularData;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;

/**
 * {@link HawtioSecurityMBean} for the agent's Jolokia: answers for the caller of the request being
 * served ({@link RequestScope}), by the rules {@link RoleRestrictor} enforces — operators may run
 * {@code epics.ioc} operations; everyone who may read may run the JVM's read-only thread
 * operations ({@link JvmReads}), Jolokia's notification pull and these queries; nothing else
 * (gc, heap dumps, diagnostic commands) for anybody. The answers only help a console draw its
 * buttons: every call is still checked when it is made. Outside a request, nothing may be
 * invoked. Registered as {@code hawtio:type=security,area=jmx,name=<agent id>} while the Jolokia
 * endpoint runs. Thread-safe (stateless).
 */
final class HawtioSecurity implements HawtioSecurityMBean {

    static final String DOMAIN = "hawtio";

    private static final CompositeType ROW;
    private static final TabularType TABLE;

    static {
        try {
            ROW = new CompositeType("CanInvokeRowType", "whether an operation may be invoked",
                    new String[] {"ObjectName", "Method", "CanInvoke"}, new String[] {"ObjectName", "Method", "CanInvoke"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.BOOLEAN});
            TABLE = new TabularType("CanInvokeTabularType", "operations that may be invoked", ROW,
                    new String[] {"ObjectName", "Method"});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ObjectName name;

    private HawtioSecurity(ObjectName name) {
        this.name = name;
    }

    /** Registers the MBean for the endpoint with agent id {@code agentId}; unregister with {@link #close()}. */
    static HawtioSecurity register(String agentId) {
        try {
            HawtioSecurity bean = new HawtioSecurity(new ObjectName(DOMAIN + ":type=security,area=jmx,name="
                    + agentId));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            server.registerMBean(bean, bean.name);
            return bean;
        } catch (JMException e) {
            throw new EndpointException("Jolokia: cannot register Hawtio's security MBean: " + e.getMessage(), e);
        }
    }

    void close() {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException e) {
            // already gone
        }
    }

    /** True for the query operations of a Hawtio security MBean, which every reader may call. */
    static boolean query(ObjectName mbean, String operation) {
        return DOMAIN.equals(mbean.getDomain()) && "security".equals(mbean.getKeyProperty("type"))
                && "jmx".equals(mbean.getKeyProperty("area"))
                && (operation.equals("canInvoke") || operation.startsWith("canInvoke("));
    }

    /** The rule: may {@code caller} invoke {@code method} (a name, or Hawtio's {@code name(types)}) of {@code mbean}? */
    static boolean mayInvoke(Caller caller, ObjectName mbean, String method) {
        if (caller == null || mbean == null || mbean.isPattern()) {
            return false;
        }
        if (RoleRestrictor.readOnlyOperation(mbean, method) || query(mbean, method)) {
            return true;
        }
        return caller.operator() && RoleRestrictor.AGENT_DOMAIN.equals(mbean.getDomain());
    }

    private static Optional<Caller> caller() {
        return RequestScope.current().map(RequestScope::caller);
    }

    private static ObjectName objectName(String text) {
        try {
            return new ObjectName(text);
        } catch (MalformedObjectNameException | NullPointerException e) {
            throw new IllegalArgumentException("not an ObjectName: '" + text + "'");
        }
    }

    @Override
    public boolean canInvoke(String objectName) {
        ObjectName mbean = objectName(objectName);
        Caller caller = caller().orElse(null);
        if (caller == null || mbean.isPattern()) {
            return false;
        }
        return (caller.operator() && RoleRestrictor.AGENT_DOMAIN.equals(mbean.getDomain()))
                || JvmReads.THREADING.equals(mbean.getCanonicalName()) || query(mbean, "canInvoke")
                || RoleRestrictor.notificationPull(mbean, "pull");
    }

    @Override
    public boolean canInvoke(String objectName, String methodName) {
        return mayInvoke(caller().orElse(null), objectName(objectName), methodName);
    }

    @Override
    public boolean canInvoke(String objectName, String methodName, String[] argumentTypes) {
        return canInvoke(objectName, methodName);
    }

    @Override
    public TabularData canInvoke(Map<String, List<String>> bulkQuery) throws OpenDataException {
        TabularDataSupport table = new TabularDataSupport(TABLE);
        Caller caller = caller().orElse(null);
        if (bulkQuery == null) {
            return table;
        }
        for (Map.Entry<String, List<String>> e : bulkQuery.entrySet()) {
            ObjectName mbean = objectName(e.getKey());
            for (Object method : e.getValue() == null ? List.of() : e.getValue()) {
                String m = String.valueOf(method);
                if (!table.containsKey(new Object[] {e.getKey(), m})) {
                    table.put(new CompositeDataSupport(ROW, new String[] {"ObjectName", "Method", "CanInvoke"},
                            new Object[] {e.getKey(), m, mayInvoke(caller, mbean, m)}));
                }
            }
        }
        return table;
    }
}
