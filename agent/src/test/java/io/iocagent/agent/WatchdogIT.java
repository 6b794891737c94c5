package io.iocagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.iocagent.model.Snapshot;
import io.iocagent.model.SnapshotSource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * The watchdog ends its process with status 70 — so that systemd's {@code Restart=on-failure}
 * restarts the agent — when an essential part is dead. Each case runs in a JVM of its own
 * ({@link Probe}), since the watchdog halts the process it is in.
 */
class WatchdogIT {

    @Test
    void aDeadHttpDispatcherEndsTheProcessWithStatus70() throws Exception {
        Result r = run("dispatcher");
        assertEquals(Watchdog.EXIT_STATUS, r.status, r.output);
        assertTrue(r.output.contains("an HTTP dispatcher thread died"), r.output);
    }

    @Test
    void anErrorEscapingAThreadEndsTheProcessWithStatus70() throws Exception {
        Result r = run("error");
        assertEquals(Watchdog.EXIT_STATUS, r.status, r.output);
        assertTrue(r.output.contains("died of java.lang.StackOverflowError"), r.output);
    }

    @Test
    void aModelThatStopsRefreshingEndsTheProcessWithStatus70() throws Exception {
        Result r = run("stale");
        assertEquals(Watchdog.EXIT_STATUS, r.status, r.output);
        assertTrue(r.output.contains("has not been refreshed"), r.output);
    }

    @Test
    void aHealthyProcessIsLeftAlone() throws Exception {
        Result r = run("healthy");
        assertEquals(0, r.status, r.output);
    }

    @Test
    void theModelMayBeQuietForTwentyPollsAndAtLeastTwoMinutes() {
        assertEquals(Duration.ofMinutes(2), Watchdog.staleAfter(Duration.ofSeconds(5)));
        assertEquals(Duration.ofMinutes(20), Watchdog.staleAfter(Duration.ofMinutes(1)));
    }

    private record Result(int status, String output) {
    }

    private static Result run(String scenario) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Probe.class.getName(), scenario))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the probe (" + scenario + ") did not end");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** A process with one HTTP server, a model and the watchdog, broken the way {@code args[0]} says. */
    static final class Probe {
        public static void main(String[] args) throws Exception {
            Watchdog.install();
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.start();
            boolean stale = args[0].equals("stale");
            Instant taken = stale ? Instant.now().minus(Duration.ofMinutes(3)) : Instant.now();
            SnapshotSource model = new SnapshotSource() {
                @Override
                public Snapshot current() {
                    return new Snapshot(taken, "local", "/tmp", true, new TreeMap<>(), Duration.ZERO, 0);
                }

                @Override
                public void addListener(BiConsumer<Snapshot, Snapshot> listener) {
                }
            };
            Watchdog watchdog = Watchdog.start(model, Duration.ofSeconds(1), Clock.systemUTC());
            switch (args[0]) {
                case "dispatcher" -> server.stop(0);
                case "error" -> new Thread(() -> {
                    throw new StackOverflowError("probe");
                }).start();
                default -> { }
            }
            Thread.sleep(5_000);
            watchdog.close();
            server.stop(0);
            System.exit(0);
        }
    }
}
