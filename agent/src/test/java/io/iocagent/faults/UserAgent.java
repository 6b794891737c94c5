package io.iocagent.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.iocagent.testbed.IsolatedUserManager;
import io.iocagent.testbed.TestBed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The shipped jar run by the user of an {@link IsolatedUserManager} (a session bus admits only its
 * own user): the command line for installs and starts, and {@code ioc-runner --local agent} with
 * {@code /metrics} on an ephemeral loopback port, read the way Prometheus reads it. The jar and the
 * stand-in IOC are copied into the user's home, which the user can read whatever the checkout's
 * permissions are.
 */
final class UserAgent implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final IsolatedUserManager manager;
    private final Path jar;
    private final Path standin;
    private Process agent;
    private URI metrics;
    private final List<String> agentOutput = new ArrayList<>();

    private UserAgent(IsolatedUserManager manager, Path jar, Path standin) {
        this.manager = manager;
        this.jar = jar;
        this.standin = standin;
    }

    /** Copies the jar and the stand-in into the user's home. */
    static UserAgent on(IsolatedUserManager manager) throws IOException {
        Path built = Path.of("target/ioc-agent.jar").toAbsolutePath();
        TestBed.requireOrSkip(Files.isRegularFile(built), "the agent jar " + built + " (run 'mvn package' first)");
        Path jar = copyAsUser(manager, built, "ioc-agent.jar");
        Path standin = copyAsUser(manager, TestBed.standinScript(), "standin-ioc");
        return new UserAgent(manager, jar, standin);
    }

    private static Path copyAsUser(IsolatedUserManager m, Path from, String name) throws IOException {
        Path to = m.home().resolve(name);
        Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return to;
    }

    /** {@code ioc-runner ARGS} as the user; returns the exit code and output. */
    CliResult cli(String... args) {
        return cli(Map.of(), args);
    }

    /** {@code ioc-runner ARGS} as the user with {@code env} added to (or overriding) the user's environment. */
    CliResult cli(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> extra = new java.util.TreeMap<>(Map.of("IOC_RUNNER_TEST_CONFIRM_DWELL", "1"));
        extra.putAll(env);
        try {
            Process p = new ProcessBuilder(manager.command(extra, cmd))
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("ioc-runner " + String.join(" ", args) + " did not end within 120 s: " + out);
            }
            return new CliResult(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record CliResult(int exit, String output) {
    }

    /** Generates, installs and starts a healthy stand-in IOC {@code name} in local mode; returns its name. */
    String installAndStart(String name) {
        expect0(cli("--local", "install", generate(name).toString()));
        expect0(cli("--local", "start", name));
        return name;
    }

    /** Writes iocBoot directory {@code ~/iocs/NAME} of a healthy stand-in IOC and generates its conf; returns the conf. */
    Path generate(String name) {
        Path dir = manager.home().resolve("iocs").resolve(name);
        manager.run("mkdir", "-p", dir.toString());
        manager.run("sh", "-c", "printf '#!/bin/sh\\nexec " + standin + " healthy\\n' > " + dir.resolve("st.cmd")
                + " && chmod 755 " + dir.resolve("st.cmd"));
        expect0(cli("--local", "generate", dir.toString()));
        return dir.resolve(name + ".conf");
    }

    static void expect0(CliResult r) {
        assertEquals(0, r.exit(), r.output());
    }

    /** Starts {@code ioc-runner --local agent} (poll every 5 s, Jolokia off, /metrics on port 0); returns once it listens. */
    void startAgent() {
        List<String> cmd = List.of(java(), "-jar", jar.toString(), "--local", "agent", "--jolokia.enabled=false",
                "--metrics.port=0", "--poll.interval=5s");
        try {
            agent = new ProcessBuilder(manager.command(Map.of(), cmd)).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<URI> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (agentOutput) {
                        agentOutput.add(line);
                    }
                    int at = line.indexOf("Prometheus: ");
                    if (at >= 0) {
                        url.complete(URI.create(line.substring(at + "Prometheus: ".length()).trim()));
                    }
                }
            } catch (IOException e) {
                // the agent ended
            }
            url.complete(null);
        }, "user-agent-output");
        reader.setDaemon(true);
        reader.start();
        metrics = url.orTimeout(60, TimeUnit.SECONDS).join();
        if (metrics == null) {
            fail("The agent did not start: " + output());
        }
    }

    /** The agent's output so far (its log). */
    String output() {
        synchronized (agentOutput) {
            return String.join("\n", agentOutput);
        }
    }

    /** One scrape of /metrics. */
    String scrape() {
        try {
            return HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of the series {@code series} (name plus labels exactly as exposed, e.g. {@code x{ioc="a"}}) in {@code text}. */
    static OptionalDouble value(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]));
            }
        }
        return OptionalDouble.empty();
    }

    /** Waits until a scrape shows {@code series} at {@code expected}; returns when ({@link System#nanoTime()}). */
    long awaitValue(String series, double expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = scrape();
            OptionalDouble v = value(last, series);
            if (v.isPresent() && v.getAsDouble() == expected) {
                return System.nanoTime();
            }
            sleep(50);
        }
        fail("Timed out after " + timeout.toSeconds() + " s waiting for " + series + " = " + expected + "; it was "
                + value(last, series) + ". Agent output:\n" + output());
        return 0;
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (agent != null) {
            agent.destroy();
            try {
                if (!agent.waitFor(10, TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
