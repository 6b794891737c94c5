package io.iocagent.http;

import com.sun.net.httpserver.HttpExchange;
import io.iocagent.model.Snapshot;
import io.iocagent.model.SnapshotSource;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Prometheus {@code /metrics} on its own JDK HTTP server: the per-IOC series ({@link IocMeters}),
 * the agent's ({@link AgentMeters}) and the JVM's (Micrometer binders), in the Prometheus text
 * format or, when the {@code Accept} header asks for it, OpenMetrics. On a loopback bind, a request
 * whose {@code Host} is not loopback is refused ({@link HostHeader}: DNS rebinding would otherwise
 * let any web page read IOC names, commands and paths).
 *
 * <p>Meters follow the {@link SnapshotSource}: its change listener copies the new snapshot's
 * values into the meters (cheap, on the refresher's thread), so a scrape only renders and never
 * waits for systemd. Thread-safe; {@link #close()} is idempotent (the source has no way to remove
 * a listener, so a closed endpoint's listener just ignores later snapshots).
 */
public final class MetricsEndpoint implements AutoCloseable {

    public static final String PATH = "/metrics";
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    /** Request threads: each may be held up to {@code http.request.timeout} by a slow client. */
    private static final int THREADS = 32;
    private static final Logger LOG = Logger.getLogger(MetricsEndpoint.class.getName());

    private final Listener listener;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private volatile boolean closed;

    private MetricsEndpoint(Listener listener, PrometheusMeterRegistry registry, JvmGcMetrics gc) {
        this.listener = listener;
        this.registry = registry;
        this.gc = gc;
    }

    /**
     * Binds and serves {@code /metrics}.
     *
     * @throws EndpointException when the address cannot be bound or the keystore read
     */
    public static MetricsEndpoint start(MetricsSettings settings, SnapshotSource source) {
        Listener listener = Listener.bind("Metrics", settings.host(), settings.port(), settings.tls(), THREADS);
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            JvmGcMetrics gc = new JvmGcMetrics();
            new JvmMemoryMetrics().bindTo(registry);
            gc.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new JvmInfoMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);

            MetricsEndpoint endpoint = new MetricsEndpoint(listener, registry, gc);
            Snapshot first = source.current();
            IocMeters iocs = new IocMeters(registry);
            new AgentMeters(registry, source);
            iocs.update(first);
            source.addListener((previous, now) -> {
                if (endpoint.closed) {
                    return;
                }
                try {
                    iocs.update(now);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Metrics: could not take the new IOC snapshot; the last one is still served", e);
                }
            });
            listener.server().createContext(PATH, endpoint::serve);
            listener.start();
            if (!listener.loopback() && !listener.tls()) {
                LOG.info(() -> "Metrics served without TLS on " + listener.uri(PATH));
            }
            return endpoint;
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (listener.loopback()) {
                Optional<String> badHost = HostHeader.refusal(exchange.getRequestHeaders());
                if (badHost.isPresent()) {
                    RequestFilter.refuse(exchange, 403, badHost.get());
                    return;
                }
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String type = contentType(exchange.getRequestHeaders().getFirst("Accept"));
            byte[] body = registry.scrape(type).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** OpenMetrics when the client accepts it (Prometheus does), else the classic text format. */
    static String contentType(String accept) {
        return accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
    }

    /** {@code http(s)://host:port/metrics}. */
    public URI url() {
        return listener.uri(PATH);
    }

    /** The bound address, with the real port when 0 was asked for. */
    public InetSocketAddress address() {
        return listener.address();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listener.close();
        } finally {
            gc.close();
            registry.close();
        }
    }
}
