package io.iocagent.http;

import io.iocagent.jmx.CredentialsFile;
import io.iocagent.ops.AuditLog;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.jolokia.jvmagent.JolokiaServer;
import org.jolokia.jvmagent.JolokiaServerConfig;
import org.jolokia.server.core.config.SystemPropertyMode;
import org.jolokia.server.core.service.impl.JulLogHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jolokia (JMX over HTTP/JSON, agent 2.6.0) embedded on the agent's own JDK HTTP server.
 *
 * <p>Security model: the policy file decides which MBeans, attributes and operations exist for
 * HTTP clients at all; {@link RoleRestrictor} adds roles on top (viewers read, operators also exec
 * and write, by POST only) and strict CORS. Requests without credentials are the anonymous viewer,
 * and only on a loopback bind; any other bind needs {@link CredentialsFile} and should use TLS. Every
 * exec/write is written to the {@link AuditLog}. The JSR-160 proxy service is not on the class
 * path (Maven exclusion), so a request's {@code target} is never followed; it is also disabled by
 * name in case the jar comes back. Responses are bounded by {@link #MAX_DEPTH},
 * {@link #MAX_COLLECTION_SIZE} and {@link #MAX_OBJECTS} (hard limits: a request may ask for less,
 * never more).
 *
 * <p>Jolokia answers refused or failed requests with HTTP 200 and a JSON {@code status} (403, 404,
 * …); only authentication uses HTTP 401.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class JolokiaEndpoint implements AutoCloseable {

    public static final String CONTEXT = "/jolokia";
    public static final int MAX_DEPTH = 12;
    /**
     * Elements per collection in a reply. Jolokia cuts a longer collection without a word, and a
     * pattern read of every IOC is one collection (one entry per MBean): the cap is far above the
     * 2,000 IOCs per host the agent is measured at, so such a read is complete on any host it
     * is made for (a cap of 1,000 returned 1,000 of 1,001 IOCs, status 200).
     */
    public static final int MAX_COLLECTION_SIZE = 10_000;
    public static final int MAX_OBJECTS = 100_000;
    static final String JSR160_HANDLER = "org.jolokia.service.jsr160.Jsr160RequestHandler";

    private static final Logger LOG = LoggerFactory.getLogger(JolokiaEndpoint.class);

    private final Listener listener;
    private final JolokiaServer jolokia;
    private final HawtioSecurity hawtio;
    private boolean closed;

    private JolokiaEndpoint(Listener listener, JolokiaServer jolokia, HawtioSecurity hawtio) {
        this.listener = listener;
        this.jolokia = jolokia;
        this.hawtio = hawtio;
    }

    /**
     * Binds and serves Jolokia.
     *
     * @param settings    where and how
     * @param credentials the users, or null when no credentials file is configured (then only a
     *                    loopback bind is accepted, with anonymous viewers only)
     * @throws EndpointException when the settings cannot be honoured: non-loopback bind without
     *                           credentials, unreadable policy or keystore, port in use
     */
    public static JolokiaEndpoint start(JolokiaSettings settings, CredentialsFile credentials) {
        return start(settings, credentials, HttpLimits.DEFAULTS);
    }

    /**
     * Binds and serves Jolokia within {@code limits} (bulk, body and response size, notification
     * clients, login back-off, concurrency).
     *
     * @see #start(JolokiaSettings, CredentialsFile)
     */
    public static JolokiaEndpoint start(JolokiaSettings settings, CredentialsFile credentials, HttpLimits limits) {
        boolean loopback = Listener.resolve("Jolokia", settings.host()).isLoopbackAddress();
        if (!loopback && credentials == null) {
            throw new EndpointException("Jolokia: refusing to listen on " + settings.host() + ":" + settings.port()
                    + " without authentication; anonymous access is only allowed on loopback.",
                    "-> Configure the credentials file (viewer and operator users), or listen on 127.0.0.1.");
        }
        RoleRestrictor.readPolicy(RoleRestrictor.location(settings.policy()));
        Listener listener = Listener.bind("Jolokia", settings.host(), settings.port(), settings.tls(), settings.threads());
        try {
            AuditLog audit = new AuditLog();
            AuditInterceptor interceptor = new AuditInterceptor();
            RequestFilter filter = new RequestFilter(listener.tls(), loopback, settings.corsOrigins(), audit, limits,
                    interceptor);
            GuardedServer guarded = new GuardedServer(listener.server(),
                    new CallerAuthenticator(credentials, loopback, limits, audit), filter);
            JolokiaServer jolokia = new AuditedJolokiaServer(guarded, config(settings, listener), interceptor);
            HawtioSecurity hawtio = HawtioSecurity.register("ioc-agent-" + listener.address().getPort());
            try {
                jolokia.start();
            } catch (RuntimeException e) {
                hawtio.close();
                throw e;
            }
            guarded.enforce();
            listener.start();
            if (!loopback && !listener.tls()) {
                LOG.warn("Jolokia listens on " + listener.uri(CONTEXT) + " without TLS: passwords and MBean data"
                        + " cross the network in clear text. -> Configure a TLS keystore.");
            }
            LOG.info("Jolokia serving on {}{}", listener.uri(CONTEXT + "/"), loopback ? " (loopback)" : "");
            return new JolokiaEndpoint(listener, jolokia, hawtio);
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    private static JolokiaServerConfig config(JolokiaSettings settings, Listener listener) {
        Map<String, String> c = new HashMap<>();
        InetSocketAddress bound = listener.address();
        c.put("host", bound.getAddress().getHostAddress());
        c.put("port", Integer.toString(bound.getPort()));
        c.put("protocol", listener.tls() ? "https" : "http");
        c.put("agentContext", CONTEXT);
        c.put("agentId", "ioc-agent-" + bound.getPort());
        c.put("restrictorClass", RoleRestrictor.class.getName());
        c.put("policyLocation", RoleRestrictor.location(settings.policy()));
        c.put("disabledServices", JSR160_HANDLER);
        c.put("discoveryEnabled", "false");
        c.put("maxDepth", Integer.toString(MAX_DEPTH));
        c.put("maxCollectionSize", Integer.toString(MAX_COLLECTION_SIZE));
        c.put("maxObjects", Integer.toString(MAX_OBJECTS));
        c.put("includeStackTrace", "false");
        c.put("serializeException", "false");
        c.put("debug", "false");
        // Keys of pattern reads and searches in canonical form (properties sorted), as JMX tools
        // expect: since 2.5 Jolokia's default keeps the registration order ("type=Ioc,name=x"), and
        // the Java client's JolokiaReadResponse.getValue(ObjectName, attribute) then finds nothing
        // (a stock 2.6.0 agent fails the same way). A request may still ask for canonicalNaming=false.
        c.put("canonicalNaming", "true");
        // NEVER: jolokia.* system properties and JOLOKIA_* variables must not change the security setup.
        return new JolokiaServerConfig(c, SystemPropertyMode.NEVER);
    }

    /** The agent URL, e.g. {@code http://127.0.0.1:8778/jolokia/}. */
    public URI url() {
        return listener.uri(CONTEXT + "/");
    }

    /** The bound address, with the real port when 0 was asked for. */
    public InetSocketAddress address() {
        return listener.address();
    }

    /** Jolokia's agent id, which names its MBeans ({@code jolokia:type=…,agent=<id>}). */
    public String agentId() {
        return "ioc-agent-" + listener.address().getPort();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            hawtio.close();
            jolokia.stop();
        } finally {
            listener.close();
        }
    }

    /** Jolokia with the audit interceptor added as a service before start (addService is protected). */
    private static final class AuditedJolokiaServer extends JolokiaServer {
        AuditedJolokiaServer(GuardedServer server, JolokiaServerConfig config, AuditInterceptor interceptor) {
            super(server, config, new JulLogHandler("org.jolokia"));
            addService(interceptor);
        }
    }
}
