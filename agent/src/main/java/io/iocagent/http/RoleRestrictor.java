package io.iocagent.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import io.iocagent.jmx.SurfaceAudit;
import io.iocagent.jmx.Disclosure;
import io.iocagent.jmx.JvmReads;
import io.iocagent.ops.AuditLog;
import javax.management.ObjectName;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.jolokia.server.core.config.ConfigKey;
import org.jolokia.server.core.config.Configuration;
import org.jolokia.server.core.restrictor.policy.PolicyRestrictor;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;
import org.xml.sax.SAXException;

/**
 * Jolokia's access decisions for the agent: the policy file ({@link PolicyRestrictor}) decides
 * what may be touched at all; on top of it, operations (exec, write) are for operators only and
 * only by POST, and browser origins are checked strictly against the endpoint's own and the
 * configured ones (Jolokia's own {@code <strict-checking/>} would also refuse every client that
 * sends no {@code Origin}, such as curl).
 *
 * <p>Jolokia 2.6.0 creates this class by name ({@code restrictorClass}) with its
 * {@link Configuration}, and asks it without telling it the request or its user; the caller and
 * the request facts come from the thread's {@link RequestScope}. Every exec/write decision is
 * recorded there for the audit log. Thread-safe: the policy is read-only after construction.
 */
public final class RoleRestrictor implements Restrictor {

    private static final AuditLog AUDIT = new AuditLog();

    /**
     * Policy answers for attribute reads kept at most; beyond, all are forgotten and asked again
     * (names a caller makes up cannot grow the memory without bound).
     */
    static final int MAX_READ_DECISIONS = 65_536;

    private final PolicyRestrictor policy;
    /**
     * The policy's answer per MBean and attribute read. Jolokia's {@link PolicyRestrictor} matches
     * wildcards anew on every call, and a read of every attribute of 1,000 IOCs asks it some 20,000
     * times: measured at a third of such a read's CPU. The policy never changes after construction,
     * so its answers can be kept.
     */
    private final ConcurrentMap<ReadKey, Boolean> readDecisions = new ConcurrentHashMap<>();

    private record ReadKey(ObjectName mbean, String attribute) {
    }

    /** Where the shipped policy lives in the jar (from {@code deploy/jolokia/jolokia-access.xml}). */
    static final String SHIPPED = "io/iocagent/agent/jolokia-access.xml";
    private static final String CLASSPATH = "classpath:";

    /** Called by Jolokia; reads the policy named by {@code policyLocation} ({@link #location}). */
    public RoleRestrictor(Configuration config) {
        this(readPolicy(config.getConfig(ConfigKey.POLICY_LOCATION)));
    }

    /**
     * The policy location for Jolokia's configuration: the file's {@code file:} URI, or for
     * {@code null} the shipped policy, read from the jar ({@code classpath:…}) so no copy of it
     * is ever staged on disk.
     */
    static String location(Path policy) {
        return policy == null ? CLASSPATH + SHIPPED : policy.toAbsolutePath().toUri().toString();
    }

    /** Parses the policy at {@code location} ({@link #location}). */
    static PolicyRestrictor readPolicy(String location) {
        if (location.startsWith(CLASSPATH)) {
            String resource = location.substring(CLASSPATH.length());
            try (InputStream in = RoleRestrictor.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new EndpointException("Jolokia: the jar lacks its access policy (" + resource + ").",
                            "-> Rebuild the agent jar, or point jolokia.policy at deploy/jolokia/jolokia-access.xml.");
                }
                return parse(in.readAllBytes(), "shipped policy " + resource);
            } catch (IOException e) {
                throw new EndpointException("Jolokia: cannot read the shipped access policy: " + e, e);
            }
        }
        return readPolicy(Path.of(URI.create(location)));
    }

    RoleRestrictor(PolicyRestrictor policy) {
        this.policy = policy;
    }

    /**
     * Parses the policy file, failing with a message that names it. A {@code <cors>} section is
     * refused rather than ignored: origins come from {@link JolokiaSettings#corsOrigins()}.
     */
    static PolicyRestrictor readPolicy(Path file) {
        byte[] xml;
        try {
            xml = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new EndpointException("Jolokia: cannot read the access policy " + file + " (" + e + ").", e,
                    "-> Install deploy/jolokia/jolokia-access.xml there, or point the setting at it.");
        }
        return parse(xml, file.toString());
    }

    private static PolicyRestrictor parse(byte[] xml, String file) {
        PolicyRestrictor policy;
        try {
            policy = new PolicyRestrictor(new ByteArrayInputStream(xml));
        } catch (RuntimeException e) {
            throw new EndpointException("Jolokia: the access policy " + file + " is invalid: " + e.getMessage(), e,
                    "-> Compare it with deploy/jolokia/jolokia-access.xml.");
        }
        if (hasCorsSection(xml)) {
            throw new EndpointException("Jolokia: the access policy " + file + " has a <cors> section.",
                    "-> Remove it and list the allowed browser origins in the agent's Jolokia settings instead.");
        }
        return policy;
    }

    private static boolean hasCorsSection(byte[] xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml))
                    .getElementsByTagName("cors").getLength() > 0;
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new EndpointException("Jolokia: the access policy could not be parsed: " + e.getMessage(), e,
                    "-> Compare it with deploy/jolokia/jolokia-access.xml (no DOCTYPE).");
        }
    }

    /**
     * Operations a viewer may run because they only read, by GET too, and that are not audited:
     * fetching pulled notifications from Jolokia's own store ({@link #notificationPull}), the
     * JVM's read-only operations ({@link JvmReads}: thread info and dumps, as Hawtio's thread
     * view asks) and Hawtio's {@code canInvoke} questions ({@link HawtioSecurity}). The policy
     * file must still allow them.
     */
    static boolean readOnlyOperation(ObjectName mbean, String operation) {
        return notificationPull(mbean, operation) || JvmReads.readOnly(mbean, operation)
                || HawtioSecurity.query(mbean, operation);
    }

    /** The agent's own domain, whose operations operators may run. */
    static final String AGENT_DOMAIN = "epics.ioc";

    /** {@code pull} of Jolokia's notification store ({@code jolokia:type=NotificationStore,agent=…}). */
    static boolean notificationPull(ObjectName mbean, String operation) {
        return "jolokia".equals(mbean.getDomain())
                && "NotificationStore".equals(mbean.getKeyProperty("type"))
                && (operation.equals("pull") || operation.startsWith("pull("));
    }

    @Override
    public boolean isOperationAllowed(ObjectName mbean, String operation) {
        if (readOnlyOperation(mbean, operation)) {
            return policy.isOperationAllowed(mbean, operation);
        }
        return operation("exec", mbean, operation, policy.isOperationAllowed(mbean, operation));
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName mbean, String attribute) {
        return operation("write", mbean, attribute, policy.isAttributeWriteAllowed(mbean, attribute));
    }

    private static boolean operation(String action, ObjectName mbean, String member, boolean policyAllows) {
        Optional<RequestScope> scope = RequestScope.current();
        if (scope.isEmpty()) {
            return false;
        }
        RequestScope s = scope.get();
        String refusal = refusal(s, policyAllows);
        if (s.decided(action, mbean, member, refusal) && refusal == null) {
            // Written before the operation runs: an agent killed during it still leaves a record.
            Caller caller = s.caller();
            AUDIT.record(new AuditLog.Event("jolokia", caller.name(), caller.roleName(), s.remote(), action,
                    SurfaceAudit.iocOf(mbean, List.of()), mbean.getCanonicalName(), member, "", AuditLog.Outcome.STARTED, ""));
        }
        if (refusal != null && policyAllows) {
            // Jolokia's own answer would be "Operation X forbidden for MBean Y" without a reason;
            // its handlers pass a SecurityException on as the 403's error text.
            throw new SecurityException((action.equals("exec") ? "Operation " : "Writing attribute ") + member + " of "
                    + mbean + " refused: " + refusal + hint(refusal));
        }
        return refusal == null;
    }

    /** What to do about a refusal a client can fix. */
    private static String hint(String refusal) {
        if (refusal.equals(BY_POST)) {
            return ". -> Send it as a JSON POST (Jolokia Java client: client.execute(request, HttpMethod.POST)).";
        }
        if (refusal.equals(OPERATOR_ONLY)) {
            return ". -> Log in as a user with the operator role.";
        }
        return ".";
    }

    static final String OPERATOR_ONLY = "operations need the operator role";
    static final String BY_POST = "operations must be sent by POST";

    private static String refusal(RequestScope s, boolean policyAllows) {
        Caller caller = s.caller();
        if (caller == null || !caller.operator()) {
            return OPERATOR_ONLY;
        }
        if (!"POST".equalsIgnoreCase(s.method())) {
            return BY_POST;
        }
        return policyAllows ? null : "the access policy forbids it";
    }

    @Override
    public boolean isOriginAllowed(String origin, boolean onlyWhenStrictCheckingIsEnabled) {
        return RequestScope.current().map(s -> s.originAllowed(origin)).orElse(origin == null);
    }

    @Override
    public boolean ignoreScheme() {
        return false;
    }

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return policy.isHttpMethodAllowed(method);
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return policy.isTypeAllowed(type);
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName mbean, String attribute) {
        if (Disclosure.commandLineAttribute(mbean, attribute)) {
            return false;
        }
        if (Disclosure.privateAttribute(mbean, attribute)) {
            // Anonymous callers (every local user, on loopback) see states and counts, not the
            // private facts of other users' IOCs; outside a request nobody does.
            Caller caller = RequestScope.current().map(RequestScope::caller).orElse(null);
            if (caller == null || !caller.authenticated()) {
                return false;
            }
        }
        return policyAllowsRead(mbean, attribute);
    }

    private boolean policyAllowsRead(ObjectName mbean, String attribute) {
        ReadKey key = new ReadKey(mbean, attribute);
        Boolean known = readDecisions.get(key);
        if (known != null) {
            return known;
        }
        boolean allowed = policy.isAttributeReadAllowed(mbean, attribute);
        if (readDecisions.size() >= MAX_READ_DECISIONS) {
            readDecisions.clear();
        }
        readDecisions.put(key, allowed);
        return allowed;
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        return policy.isRemoteAccessAllowed(hostOrAddress);
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return policy.isObjectNameHidden(name);
    }
}
