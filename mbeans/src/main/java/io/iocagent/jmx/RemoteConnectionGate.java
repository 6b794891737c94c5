package io.iocagent.jmx;

import io.iocagent.ops.AuditLog;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.rmi.NoSuchObjectException;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.RemoteServer;
import java.rmi.server.ServerNotActiveException;
import java.rmi.server.UnicastRemoteObject;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.ObjectName;
import javax.management.remote.rmi.RMIConnection;
import javax.management.remote.rmi.RMIConnectionImpl;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.security.auth.Subject;

/**
 * The remote JMX connector's server object, which refuses a call before its arguments are
 * deserialised when the caller may not make it. The JDK's {@code RMIConnectionImpl} unmarshals
 * the parameters of {@code invoke}, {@code setAttribute} and {@code setAttributes} first and asks
 * the access controller afterwards, so a viewer could make the agent deserialise any object graph
 * it liked (a nested-HashSet parameter ran the heap out) although the call was then refused.
 * Here each client connection is a proxy in front of the JDK's: these three calls are refused at
 * once (and audited) unless the caller is an operator and the target is an {@code epics.ioc}
 * MBean, or the call is one of the JVM's read-only operations ({@link JvmReads}), open to every
 * caller; everything else, and an allowed call, goes on to the JDK's connection, the access
 * controller and {@link RemoteCallGate}.
 *
 * <p>Every call's arguments, for every caller, are also read through {@link #FILTER} (depth,
 * references, array length, bytes and classes bounded): the connection is exported with it,
 * and a {@code MarshalledObject}'s content is read through the filter of the stream it came in.
 * Thread-safe.
 */
final class RemoteConnectionGate extends RMIJRMPServerImpl {

    /**
     * What a remote JMX client may send ({@code ObjectInputFilter} syntax): values JMX defines
     * (open types, notifications, queries), the JDK types they are made of, and the connector's
     * own wrapping; within bounds no legitimate call comes near.
     */
    static final String FILTER = "maxdepth=20;maxrefs=20000;maxarray=100000;maxbytes=4194304;"
            + "java.lang.*;java.math.*;java.util.*;java.rmi.MarshalledObject;javax.management.**;"
            + "javax.security.auth.Subject*;java.security.Principal;!*";

    private static final AuditLog AUDIT = new AuditLog();

    private final int port;
    private final RMIClientSocketFactory csf;
    private final RMIServerSocketFactory ssf;
    private final Map<String, Object> env;
    private final ObjectInputFilter filter = ObjectInputFilter.Config.createFilter(FILTER);
    /** The exported proxy of each JDK connection, to unexport it when the JDK closes its connection. */
    private final Map<RMIConnection, RMIConnection> proxies = new ConcurrentHashMap<>();

    RemoteConnectionGate(int port, RMIClientSocketFactory csf, RMIServerSocketFactory ssf, Map<String, Object> env)
            throws IOException {
        super(port, csf, ssf, env);
        this.port = port;
        this.csf = csf;
        this.ssf = ssf;
        this.env = env;
    }

    @Override
    protected RMIConnection makeClient(String connectionId, Subject subject) throws IOException {
        if (connectionId == null) {
            throw new NullPointerException("Null connectionId");
        }
        RMIConnection jdk = new RMIConnectionImpl(this, connectionId, getDefaultClassLoader(), subject, env);
        RMIConnection proxy = (RMIConnection) Proxy.newProxyInstance(RMIConnection.class.getClassLoader(),
                new Class<?>[] {RMIConnection.class}, new Gate(jdk, subject));
        proxies.put(jdk, proxy);
        UnicastRemoteObject.exportObject(proxy, port, csf, ssf, filter);
        return proxy;
    }

    @Override
    protected void closeClient(RMIConnection client) throws IOException {
        RMIConnection proxy = proxies.remove(client);
        try {
            UnicastRemoteObject.unexportObject(proxy != null ? proxy : client, true);
        } catch (NoSuchObjectException e) {
            // already gone
        }
    }

    /** Checks the three calls whose arguments would be deserialised; hands on everything else. */
    private static final class Gate implements InvocationHandler {
        private final RMIConnection jdk;
        private final Subject subject;

        Gate(RMIConnection jdk, Subject subject) {
            this.jdk = jdk;
            this.subject = subject;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            boolean jvmRead = name.equals("invoke") && JvmReads.readOnly((ObjectName) args[0], (String) args[1]);
            if (!jvmRead && (name.equals("invoke") || name.equals("setAttribute") || name.equals("setAttributes"))) {
                ObjectName mbean = (ObjectName) args[0];
                String member = name.equals("invoke") ? (String) args[1] : "";
                String action = name.equals("invoke") ? "exec" : "write";
                String refusal = null;
                if (!operator(subject)) {
                    refusal = "Access denied! Remote JMX " + action + " needs the operator role.";
                } else if (mbean == null || !RemoteCallGate.DOMAIN.equals(mbean.getDomain())) {
                    refusal = "Access denied! Remote JMX allows " + action + " only on " + RemoteCallGate.DOMAIN
                            + " MBeans, not on " + mbean + ".";
                }
                if (refusal != null) {
                    AUDIT.record(new AuditLog.Event("jmx", principal(subject, false), principal(subject, true), clientHost(),
                            action, SurfaceAudit.iocOf(mbean, List.of()), mbean == null ? "" : mbean.getCanonicalName(), member,
                            "(arguments not read: refused before deserialising them)", AuditLog.Outcome.DENIED, refusal));
                    throw new SecurityException(refusal);
                }
            }
            try {
                return method.invoke(jdk, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    static boolean operator(Subject subject) {
        return "operator".equals(principal(subject, true));
    }

    /** The user principal, or with {@code role} the role (the {@code @role} principal without its {@code @}). */
    static String principal(Subject subject, boolean role) {
        if (subject == null) {
            return role ? "" : "unknown";
        }
        return subject.getPrincipals().stream()
                .map(Principal::getName)
                .filter(n -> n.startsWith("@") == role)
                .map(n -> role ? n.substring(1) : n)
                .findFirst()
                .orElse(role ? "" : "unknown");
    }

    static String clientHost() {
        try {
            return RemoteServer.getClientHost();
        } catch (ServerNotActiveException e) {
            return "unknown";
        }
    }
}
