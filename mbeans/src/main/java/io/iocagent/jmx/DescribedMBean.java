package io.iocagent.jmx;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.NotificationEmitter;
import javax.management.StandardEmitterMBean;

/**
 * An MXBean whose {@code MBeanInfo} carries the {@link Description} and {@link Param} texts of its
 * interface, so JConsole, Jolokia's {@code list} and jmxterm's {@code info} show what each
 * attribute, operation and parameter means instead of {@code p0} and "Operation exposed for
 * management". The interface must describe every method and parameter and must not overload an
 * operation name (the info carries no Java types to tell overloads apart); otherwise construction
 * fails, so the gap is found at the first registration, in tests.
 *
 * <p>Notifications are the {@code emitter}'s (its {@code getNotificationInfo()} is read once, at
 * construction). The descriptions and the {@code MBeanInfo} are built once per interface and
 * shared by all its MBeans, so every emitter of one interface must describe the same
 * notifications (each IOC's MBean does). Thread-safe as {@link StandardEmitterMBean} is; the
 * lookup tables are immutable.
 */
final class DescribedMBean extends StandardEmitterMBean {

    /**
     * The descriptions of one interface, read once: every IOC's MBean has the same interface, and
     * 1,000 MBeans each holding their own copies of its methods and info held some 6 MiB of heap.
     */
    private record Described(Description type, Map<String, Method> attributes, Map<String, Method> operations) {
    }

    private static final ConcurrentMap<Class<?>, Described> DESCRIBED = new ConcurrentHashMap<>();
    /** The described {@code MBeanInfo} per interface (immutable; one per interface, shared by its MBeans). */
    private static final ConcurrentMap<Class<?>, MBeanInfo> INFO = new ConcurrentHashMap<>();

    private final Class<?> mxbeanInterface;
    private final Description type;
    private final Map<String, Method> attributes;
    private final Map<String, Method> operations;

    <T> DescribedMBean(T implementation, Class<T> mxbeanInterface, NotificationEmitter emitter) {
        super(implementation, mxbeanInterface, true, emitter);
        this.mxbeanInterface = mxbeanInterface;
        Described d = DESCRIBED.computeIfAbsent(mxbeanInterface, DescribedMBean::describe);
        this.type = d.type();
        this.attributes = d.attributes();
        this.operations = d.operations();
    }

    /** Reads the descriptions of {@code mxbeanInterface}, failing when one is missing or an operation is overloaded. */
    private static Described describe(Class<?> mxbeanInterface) {
        Description type = mxbeanInterface.getAnnotation(Description.class);
        Map<String, Method> attrs = new HashMap<>();
        Map<String, Method> ops = new HashMap<>();
        List<String> missing = new ArrayList<>();
        if (type == null) {
            missing.add("the interface");
        }
        for (Method m : mxbeanInterface.getMethods()) {
            if (m.getAnnotation(Description.class) == null) {
                missing.add(m.getName() + "()");
            }
            String attribute = attributeName(m);
            if (attribute != null) {
                attrs.put(attribute, m);
                continue;
            }
            if (ops.put(m.getName(), m) != null) {
                throw new IllegalArgumentException(mxbeanInterface.getName() + " overloads operation " + m.getName()
                        + "; give each operation its own name.");
            }
            for (Parameter p : m.getParameters()) {
                if (p.getAnnotation(Param.class) == null) {
                    missing.add(m.getName() + "(" + p.getName() + ")");
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(mxbeanInterface.getName() + " lacks @Description/@Param on " + missing);
        }
        return new Described(type, Map.copyOf(attrs), Map.copyOf(ops));
    }

    /**
     * The info built for the first MBean of this interface: the descriptions, the MXBean's open
     * types and the notifications are the interface's, so every MBean of it has the same info.
     * (The JMX contract allows sharing: an {@code MBeanInfo} is immutable.)
     */
    @Override
    protected MBeanInfo getCachedMBeanInfo() {
        return mxbeanInterface == null ? null : INFO.get(mxbeanInterface);
    }

    @Override
    protected void cacheMBeanInfo(MBeanInfo info) {
        if (info != null && mxbeanInterface != null) {
            INFO.putIfAbsent(mxbeanInterface, info);
        }
    }

    /** The JMX attribute a getter defines ({@code getX}, or {@code isX} returning boolean), else null. */
    static String attributeName(Method m) {
        if (m.getParameterCount() != 0 || m.getReturnType() == void.class) {
            return null;
        }
        String n = m.getName();
        if (n.startsWith("get") && n.length() > 3) {
            return n.substring(3);
        }
        if (n.startsWith("is") && n.length() > 2 && m.getReturnType() == boolean.class) {
            return n.substring(2);
        }
        return null;
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        return type.value();
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        Method getter = attributes.get(info.getName());
        return getter == null ? super.getDescription(info) : getter.getAnnotation(Description.class).value();
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        Method m = operations.get(info.getName());
        return m == null ? super.getDescription(info) : m.getAnnotation(Description.class).value();
    }

    @Override
    protected int getImpact(MBeanOperationInfo info) {
        Method m = operations.get(info.getName());
        return m == null ? super.getImpact(info) : m.getAnnotation(Description.class).impact();
    }

    @Override
    protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        Param p = param(op, sequence);
        return p == null ? super.getParameterName(op, param, sequence) : p.name();
    }

    @Override
    protected String getDescription(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        Param p = param(op, sequence);
        return p == null ? super.getDescription(op, param, sequence) : p.description();
    }

    private Param param(MBeanOperationInfo op, int sequence) {
        Method m = operations.get(op.getName());
        if (m == null || sequence >= m.getParameterCount()) {
            return null;
        }
        return m.getParameters()[sequence].getAnnotation(Param.class);
    }
}
