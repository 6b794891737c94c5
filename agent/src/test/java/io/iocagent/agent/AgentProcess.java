package io.iocagent.agent;

import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent as it ships: {@code deploy/bin/ioc-runner --local agent --config FILE} as its own
 * process, with the launcher's JVM options, on ephemeral loopback ports of a {@link TestBed}.
 * The launcher is {@code -Diocagent.runner=PATH} when set (e.g. the launcher of another checkout,
 * to run the same attacks against older code), else this checkout's.
 */
final class AgentProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final int jolokiaPort;
    final int metricsPort;
    final Path log;
    final Path config;
    private final Process process;

    private AgentProcess(int jolokiaPort, int metricsPort, Path log, Path config, Process process) {
        this.jolokiaPort = jolokiaPort;
        this.metricsPort = metricsPort;
        this.log = log;
        this.config = config;
        this.process = process;
    }

    /**
     * Starts the agent with {@code settings} (written to a properties file; the ports are added)
     * and {@code javaOpts} ({@code IOC_AGENT_JAVA_OPTS}), and waits until Jolokia and /metrics answer.
     */
    static AgentProcess start(TestBed bed, String tag, Map<String, String> settings, String javaOpts) {
        try {
            int jolokia = freePort();
            int metrics = freePort();
            Map<String, String> all = new LinkedHashMap<>(settings);
            all.put("jolokia.port", Integer.toString(jolokia));
            all.put("metrics.port", Integer.toString(metrics));
            StringBuilder text = new StringBuilder();
            all.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
            Path config = Files.writeString(bed.root().resolve(tag + ".properties"), text);
            Path log = bed.root().resolve(tag + ".log");
            List<String> cmd = new ArrayList<>(List.of(runner().toString(), "--local", "agent", "--config", config.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(bed.env());
            pb.environment().remove("NOTIFY_SOCKET");
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().put("IOC_AGENT_JAVA_OPTS", javaOpts);
            AgentProcess agent = new AgentProcess(jolokia, metrics, log, config, pb.start());
            TestBed.await(Duration.ofSeconds(90), "the agent process (" + tag + ") to serve Jolokia and /metrics", () -> {
                if (!agent.process.isAlive()) {
                    throw new AssertionError("the agent process (" + tag + ") exited with " + agent.process.exitValue()
                            + ":\n" + agent.output());
                }
                return agent.answers("/metrics", agent.metricsPort) && agent.answers("/jolokia/version", agent.jolokiaPort);
            });
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The launcher: {@code -Diocagent.runner}, else {@code deploy/bin/ioc-runner} above the working directory. */
    static Path runner() {
        String given = System.getProperty("iocagent.runner");
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("deploy/bin/ioc-runner");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("deploy/bin/ioc-runner not found above " + Path.of("").toAbsolutePath());
    }

    private boolean answers(String path, int port) {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String jolokia() {
        return "http://127.0.0.1:" + jolokiaPort + "/jolokia/";
    }

    String metrics() {
        return "http://127.0.0.1:" + metricsPort + "/metrics";
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the process to end; its exit status, or -1 while it runs. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** Resident set size in KiB ({@code VmRSS} of /proc/PID/status), or -1 when it is gone. */
    long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** SIGTERM, then SIGKILL after 20 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
