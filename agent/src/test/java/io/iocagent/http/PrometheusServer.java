package io.iocagent.http;

import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jolokia.json.parser.JSONParser;

/**
 * A real Prometheus server process for the tests: the {@code prometheus} binary from the PATH
 * (Debian/Ubuntu package {@code prometheus}), with its configuration, TSDB and log in a directory
 * the test owns, on a free loopback port. Missing binary: skip with one line, or fail when
 * {@code IOC_AGENT_IT_REQUIRED=1}. {@link #close()} kills the process.
 */
final class PrometheusServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final URI base;
    private final Path log;

    private PrometheusServer(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** The binary, or a skip/failure naming the package to install. */
    static Path binary() {
        Optional<Path> found = Stream.of(Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin").split(":"))
                .map(dir -> Path.of(dir, "prometheus"))
                .filter(Files::isExecutable)
                .findFirst();
        TestBed.requireOrSkip(found.isPresent(),
                "prometheus not found on PATH (Debian/Ubuntu: apt-get install prometheus).");
        return found.orElseThrow();
    }

    /**
     * Starts Prometheus on {@code config} (relative paths in it resolve from its directory), with
     * the TSDB in {@code dir/data}, and waits until it reports ready.
     */
    static PrometheusServer start(Path binary, Path dir, Path config) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrometheusServer server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), log);
        try {
            TestBed.await(Duration.ofSeconds(30), "Prometheus to be ready on port " + port, server::ready);
        } catch (AssertionError e) {
            server.close();
            throw new AssertionError(e.getMessage() + "; its log:\n" + server.logTail(), e);
        }
        return server;
    }

    /**
     * The shipped prometheus.yml, alerts.yml beside it and a targets file naming {@code agentTarget}
     * ({@code host:port}), written into {@code dir}; only the intervals change (15 s to 1 s).
     *
     * @return the prometheus.yml to start on
     */
    static Path shippedConfigScraping(Path dir, String agentTarget) throws IOException {
        Path shipped = Dashboards.checkoutPath("deploy/prometheus");
        String config = Files.readString(shipped.resolve("prometheus.yml"));
        for (String interval : List.of("scrape_interval: 15s", "evaluation_interval: 15s")) {
            if (!config.contains(interval)) {
                throw new AssertionError("prometheus.yml no longer has '" + interval + "'; adjust PrometheusServer");
            }
            config = config.replace(interval, interval.replace("15s", "1s"));
        }
        Files.writeString(dir.resolve("prometheus.yml"), config);
        Files.copy(shipped.resolve("alerts.yml"), dir.resolve("alerts.yml"));
        Files.createDirectories(dir.resolve("targets"));
        Files.writeString(dir.resolve("targets/ioc-agents.yml"), "- targets: ['" + agentTarget + "']\n");
        return dir.resolve("prometheus.yml");
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new AssertionError("Prometheus exited with " + process.exitValue() + "; its log:\n" + logTail());
        }
        try {
            return HTTP.send(HttpRequest.newBuilder(base.resolve("/-/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code GET /api/v1/query?query=promql}: the {@code data.result} list; an API error fails with its message. */
    List<Object> query(String promql) {
        return Dashboards.list(Dashboards.map(api("/api/v1/query", Map.of("query", promql)).get("data")).get("result"));
    }

    /** {@code GET /api/v1/label/LABEL/values}, restricted to {@code selector} when it is not null. */
    List<Object> labelValues(String label, String selector) {
        return Dashboards.list(api("/api/v1/label/" + label + "/values",
                selector == null ? Map.of() : Map.of("match[]", selector)).get("data"));
    }

    /** {@code GET path?params} on the HTTP API, parsed; fails unless {@code "status":"success"}. */
    Map<String, Object> api(String path, Map<String, String> params) {
        StringBuilder uri = new StringBuilder(path);
        char sep = '?';
        for (Map.Entry<String, String> p : params.entrySet()) {
            uri.append(sep).append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        String body;
        try {
            body = HTTP.send(HttpRequest.newBuilder(base.resolve(uri.toString())).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException("Prometheus " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        Map<String, Object> reply;
        try {
            reply = Dashboards.map(new JSONParser().parse(body));
        } catch (Exception e) {
            throw new AssertionError("Prometheus " + uri + " answered no JSON: " + body, e);
        }
        if (!"success".equals(reply.get("status"))) {
            throw new AssertionError("Prometheus " + uri + ": " + reply.get("errorType") + ": " + reply.get("error"));
        }
        return reply;
    }

    /** The last lines Prometheus logged, for failure messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
