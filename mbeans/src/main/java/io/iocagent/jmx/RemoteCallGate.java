package io.iocagent.jmx;

import io.iocagent.ops.AuditLog;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.security.AccessController;
import java.util.Arrays;
import java.util.List;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.remote.MBeanServerForwarder;
import javax.security.auth.Subject;

/**
 * The remote JMX connector's policy and audit, in front of the connector's access controller:
 * <ul>
 * <li><b>Operations only on {@code epics.ioc}.</b> The JDK's {@code readwrite} access lets a user
 * invoke any operation of any MBean — {@code DiagnosticCommand} (load a native agent, dump the
 * heap), {@code HotSpotDiagnostic}, JFR — which is code execution as the agent's user. Like the
 * Jolokia policy, this gate refuses every {@code invoke} and attribute write outside the
 * {@value #DOMAIN} domain, for every role.</li>
 * <li><b>Audit.</b> Every invoke and write a remote client attempts, refused ones included, is
 * one {@link AuditLog} line — who (the authenticated user and role), from where (the RMI client
 * host), what, which IOC, and the outcome. While the call runs the thread is marked
 * {@link SurfaceAudit#begin()} so the operations do not log it a second time.</li>
 * </ul>
 * Reads, queries, notification subscriptions and the JVM's read-only operations ({@link JvmReads},
 * for viewers too, so JConsole's thread view works) pass through unaudited. Thread-safe.
 */
final class RemoteCallGate implements InvocationHandler {

    /** {@code Subject.current()} on JDK 18+, where the connector binds the caller with {@code Subject.callAs}. */
    private static final MethodHandle SUBJECT_CURRENT = subjectCurrent();

    /** The only domain whose operations remote clients may invoke. */
    static final String DOMAIN = "epics.ioc";

    /** True when reading {@code attribute} (a name or a {@code String[]}) of {@code mbean} would show the command line. */
    private static boolean revealsCommandLine(ObjectName mbean, Object attribute) {
        if (attribute instanceof String[] names) {
            return Arrays.stream(names).anyMatch(n -> Disclosure.commandLineAttribute(mbean, n));
        }
        return attribute instanceof String name && Disclosure.commandLineAttribute(mbean, name);
    }

    private final AuditLog audit = new AuditLog();
    private MBeanServer next; // set once by the connector before any call

    private RemoteCallGate() {
    }

    /** A forwarder to hand to {@code JMXConnectorServer.setMBeanServerForwarder} after {@code start()}. */
    static MBeanServerForwarder create() {
        return (MBeanServerForwarder) Proxy.newProxyInstance(MBeanServerForwarder.class.getClassLoader(),
                new Class<?>[] {MBeanServerForwarder.class}, new RemoteCallGate());
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "getMBeanServer" -> {
                return next;
            }
            case "setMBeanServer" -> {
                next = (MBeanServer) args[0];
                return null;
            }
            case "invoke" -> {
                if (JvmReads.readOnly((ObjectName) args[0], (String) args[1])) {
                    return jvmRead(method, args);
                }
                return audited("exec", (ObjectName) args[0], (String) args[1],
                        args[2] == null ? List.of() : Arrays.asList((Object[]) args[2]), method, args);
            }
            case "setAttribute" -> {
                Attribute a = (Attribute) args[1];
                return audited("write", (ObjectName) args[0], a.getName(), List.of(AuditLog.render(a.getValue())), method, args);
            }
            case "getAttribute", "getAttributes" -> {
                Subject subject = currentSubject();
                if (revealsCommandLine((ObjectName) args[0], args[1]) && !RemoteConnectionGate.operator(subject)) {
                    throw new SecurityException("Access denied! " + Disclosure.RUNTIME + " " + Disclosure.COMMAND_LINE
                            + " (the JVM's command line and properties) are for operators only.");
                }
                if (Disclosure.ANONYMOUS.equals(principal(subject, false))) {
                    return withheld(method, args);
                }
                return forward(method, args);
            }
            case "setAttributes" -> {
                AttributeList list = (AttributeList) args[1];
                String names = String.join(",", list.asList().stream().map(Attribute::getName).toList());
                return audited("write", (ObjectName) args[0], names, List.of(), method, args);
            }
            default -> {
                return forward(method, args);
            }
        }
    }

    /**
     * A read-only operation of the JVM's ({@link JvmReads}), for every role: past the JDK's access
     * controller, which would refuse a {@code readonly} user any invoke, to the MBean server behind
     * it; not audited, like any read.
     */
    private Object jvmRead(Method method, Object[] args) throws Throwable {
        MBeanServer server = next instanceof MBeanServerForwarder f && f.getMBeanServer() != null ? f.getMBeanServer() : next;
        try {
            return method.invoke(server, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** An anonymous read: {@link Disclosure#privateAttribute private} attributes are refused or left out. */
    private Object withheld(Method method, Object[] args) throws Throwable {
        ObjectName mbean = (ObjectName) args[0];
        if (args[1] instanceof String name) {
            if (Disclosure.privateAttribute(mbean, name)) {
                throw new SecurityException("Access denied! " + name + " is for authenticated users; anonymous callers"
                        + " see states and counts only.");
            }
            return forward(method, args);
        }
        String[] names = Arrays.stream((String[]) args[1]).filter(n -> !Disclosure.privateAttribute(mbean, n))
                .toArray(String[]::new);
        return forward(method, new Object[] {mbean, names});
    }

    private Object audited(String action, ObjectName mbean, String member, List<?> arguments, Method method,
                           Object[] args) throws Throwable {
        Subject subject = currentSubject();
        String user = principal(subject, false);
        String role = principal(subject, true);
        if (mbean == null || !DOMAIN.equals(mbean.getDomain())) {
            String refusal = "Access denied! Remote JMX allows " + action + " only on " + DOMAIN + " MBeans, not on " + mbean + ".";
            record(user, role, action, mbean, member, arguments, AuditLog.Outcome.DENIED, refusal);
            throw new SecurityException(refusal);
        }
        try (SurfaceAudit.Mark marked = SurfaceAudit.begin()) {
            if (!"viewer".equals(role)) {
                // Written before it runs: an agent killed during the operation still leaves a record.
                record(user, role, action, mbean, member, arguments, AuditLog.Outcome.STARTED, "");
            }
            Object result = forward(method, args);
            record(user, role, action, mbean, member, arguments, AuditLog.Outcome.OK, String.valueOf(result));
            return result;
        } catch (SecurityException e) {
            record(user, role, action, mbean, member, arguments, AuditLog.Outcome.DENIED, e.getMessage());
            throw e;
        } catch (Exception e) {
            record(user, role, action, mbean, member, arguments, AuditLog.Outcome.FAILED, e.getMessage());
            throw e;
        }
    }

    private Object forward(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(next, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private void record(String user, String role, String action, ObjectName mbean, String member, List<?> arguments,
                        AuditLog.Outcome outcome, String message) {
        audit.record(new AuditLog.Event("jmx", user, role, clientHost(), action, SurfaceAudit.iocOf(mbean, arguments),
                mbean == null ? "" : mbean.getCanonicalName(), member, AuditLog.render(arguments), outcome,
                message == null ? "" : message));
    }

    private static String principal(Subject subject, boolean role) {
        return RemoteConnectionGate.principal(subject, role);
    }

    private static String clientHost() {
        return RemoteConnectionGate.clientHost();
    }

    /**
     * The caller's Subject as the connector bound it: {@code Subject.current()} where it exists
     * (JDK 18+; the only way from JDK 23 on), else {@code Subject.getSubject} of the access
     * control context (JDK 17), as the JDK's own access controller reads it.
     */
    @SuppressWarnings("removal")
    private static Subject currentSubject() {
        if (SUBJECT_CURRENT != null) {
            try {
                return (Subject) SUBJECT_CURRENT.invokeExact();
            } catch (Throwable e) {
                throw new IllegalStateException("Subject.current() failed", e);
            }
        }
        return Subject.getSubject(AccessController.getContext());
    }

    private static MethodHandle subjectCurrent() {
        try {
            return MethodHandles.publicLookup().findStatic(Subject.class, "current", MethodType.methodType(Subject.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}
