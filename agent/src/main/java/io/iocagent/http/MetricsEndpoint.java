package io.iocagent.http;

import com.sun.net.httpserver.HttpExchange;
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
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prometheus {@code /metrics} on its own JDK HTTP server: the per-IOC families ({@link IocFamilies}),
 * the agent's ({@link AgentMeters}) and the JVM's (Micrometer binders), in the Prometheus text
 * format or, when the {@code Accept} header asks for it, OpenMetrics. On a loopback bind, a request
 * whose {@code Host} is not loopback is refused ({@link HostHeader}: DNS rebinding would otherwise
 * let any web page read IOC names, commands and paths).
 *
 * <p>A scrape renders the Micrometer meters (a hundred series of the JVM and the agent, fresh
 * every time) and appends the IOC families' bytes, which {@link IocFamilies} renders once per
 * change of the snapshot's IOC facts. Nothing is copied into meters when the model changes, so
 * the refresher's thread does no work for this surface, and a scrape never waits for systemd.
 * Thread-safe; {@link #close()} is idempotent.
 */
public final class MetricsEndpoint implements AutoCloseable {

    public static final String PATH = "/metrics";
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    /** Request threads: each may be held up to {@code http.request.timeout} by a slow client. */
    private static final int THREADS = 32;
    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.UTF_8);
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final Listener listener;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final IocFamilies iocs;
    private final ExpositionFormats formats = ExpositionFormats.init();
    private volatile boolean closed;

    private MetricsEndpoint(Listener listener, PrometheusMeterRegistry registry, JvmGcMetrics gc, IocFamilies iocs) {
        this.listener = listener;
        this.registry = registry;
        this.gc = gc;
        this.iocs = iocs;
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

            IocFamilies iocs = new IocFamilies(source);
            registry.getPrometheusRegistry().register(iocs);
            new AgentMeters(registry, source);
            MetricsEndpoint endpoint = new MetricsEndpoint(listener, registry, gc, iocs);
            listener.server().createContext(PATH, endpoint::serve);
            listener.start();
            if (!listener.loopback() && !listener.tls()) {
                LOG.info("Metrics served without TLS on {}", listener.uri(PATH));
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
            exchange.getResponseHeaders().set("Content-Type", type);
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            ExpositionFormatWriter writer = type.equals(OPENMETRICS)
                    ? formats.getOpenMetricsTextFormatWriter() : formats.getPrometheusTextFormatWriter();
            byte[] own = ownFamilies(writer);
            byte[] iocBody = iocs.rendered(writer);
            exchange.sendResponseHeaders(200, (long) own.length + iocBody.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(own);
                out.write(iocBody);
            }
        }
    }

    /**
     * The JVM's and the agent's own families, rendered now; without OpenMetrics' closing
     * {@code # EOF}, which the IOC families' bytes end with.
     */
    private byte[] ownFamilies(ExpositionFormatWriter writer) throws IOException {
        MetricSnapshots own = registry.getPrometheusRegistry().scrape(name -> !isIocFamily(name));
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, own);
        byte[] bytes = out.toByteArray();
        int end = bytes.length;
        if (writer instanceof OpenMetricsTextFormatWriter && endsWith(bytes, EOF)) {
            end -= EOF.length;
        }
        return end == bytes.length ? bytes : Arrays.copyOf(bytes, end);
    }

    /** A name of an IOC family, as the registry's filter sees it (with or without an exposition suffix). */
    static boolean isIocFamily(String name) {
        for (String suffix : new String[] {"_total", "_created", "_info"}) {
            if (name.endsWith(suffix) && IocFamilies.NAMES.contains(name.substring(0, name.length() - suffix.length()))) {
                return true;
            }
        }
        return IocFamilies.NAMES.contains(name);
    }

    private static boolean endsWith(byte[] bytes, byte[] tail) {
        if (bytes.length < tail.length) {
            return false;
        }
        return Arrays.equals(bytes, bytes.length - tail.length, bytes.length, tail, 0, tail.length);
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
