package io.iocagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.jmx.Credentials;
import io.iocagent.jmx.Role;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The agent as it ships keeps answering while attacked: for {@code -Diocagent.attack.seconds}
 * (15 in CI; the documented run is 60) loopback clients send D1 (bulks of 500 and of 20
 * {@code list}s), D2 (notification registrations), D10 (eight clients with wrong passwords) and
 * D11 (eight half-sent requests to each endpoint, renewed as the agent cuts them) at once, while
 * a probe times {@code /metrics} and an authenticated Jolokia read twice a second and samples the
 * agent's RSS. At the end, with the attack still running, both answer within 1 s, no probe failed,
 * and RSS stayed under {@value #RSS_BOUND_MIB} MiB (docs/security.md "Threat model"). Figures are
 * printed as {@code [attack-load]} lines.
 */
class AttackLoadIT {

    /** The documented RSS bound of the agent under attack, MiB. */
    static final int RSS_BOUND_MIB = 256;

    private static final String OPERATOR = "olivia";
    private static final String PASSWORD = "operator-secret";

    @Test
    void theAgentKeepsAnsweringWithinItsMemoryWhileAttackedFromLoopback() throws Exception {
        int seconds = Integer.getInteger("iocagent.attack.seconds", 15);
        try (TestBed bed = TestBed.open()) {
            Path credentials = bed.root().resolve("credentials");
            Files.writeString(credentials, OPERATOR + ":" + Role.OPERATOR.text() + ":"
                    + Credentials.hash(PASSWORD.toCharArray(), Credentials.MIN_ITERATIONS) + "\n");
            Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
            try (AgentProcess agent = AgentProcess.start(bed, "load", Map.of("credentials.file", credentials.toString(),
                    "audit.log", bed.root().resolve("audit.log").toString()), "")) {
                String operator = AttackIT.basic(OPERATOR, PASSWORD);
                String read = agent.jolokia() + "read/epics.ioc:type=Manager/IocCount";
                assertEquals(200, AttackIT.get(read, operator).statusCode(), "the operator logs in before the attack");

                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
                ExecutorService attackers = Executors.newFixedThreadPool(13);
                String bulk500 = "[" + String.join(",", Collections.nCopies(500, "{\"type\":\"list\"}")) + "]";
                String bulk20 = "[" + String.join(",", Collections.nCopies(20, "{\"type\":\"list\"}")) + "]";
                for (int i = 0; i < 2; i++) {
                    attackers.submit(loop(deadline, sent, "D1 bulk", () -> {
                        AttackIT.post(agent.jolokia(), bulk500, null);
                        return AttackIT.post(agent.jolokia(), bulk20, null);
                    }));
                }
                attackers.submit(loop(deadline, sent, "D2 register",
                        () -> AttackIT.post(agent.jolokia(), "{\"type\":\"notification\",\"command\":\"register\"}", null)));
                for (int i = 0; i < 8; i++) {
                    String wrong = AttackIT.basic(OPERATOR, "guess-" + i);
                    attackers.submit(loop(deadline, sent, "D10 wrong password", () -> AttackIT.get(agent.jolokia() + "version", wrong)));
                }
                List<Socket> slow = Collections.synchronizedList(new ArrayList<>());
                attackers.submit(loop(deadline, sent, "D11 half-sent request", () -> {
                    slow.removeIf(s -> {
                        try {
                            s.setSoTimeout(1);
                            return s.getInputStream().read() < 0 && close(s);
                        } catch (java.net.SocketTimeoutException e) {
                            return false; // still held open by the agent
                        } catch (IOException e) {
                            return close(s);
                        }
                    });
                    while (slow.size() < 16) {
                        slow.add(AttackIT.halfRequest(agent.jolokiaPort, "/jolokia/version"));
                        slow.add(AttackIT.halfRequest(agent.metricsPort, "/metrics"));
                    }
                    Thread.sleep(200);
                    return null;
                }));

                List<Long> metrics = new ArrayList<>();
                List<Long> jolokia = new ArrayList<>();
                long maxRss = 0;
                int failures = 0;
                while (System.nanoTime() < deadline) {
                    try {
                        metrics.add(AttackIT.timed(() -> check(AttackIT.get(agent.metrics(), null))));
                        jolokia.add(AttackIT.timed(() -> check(AttackIT.get(read, operator))));
                    } catch (IOException | AssertionError e) {
                        failures++;
                    }
                    maxRss = Math.max(maxRss, agent.rssKiB());
                    Thread.sleep(500);
                }
                // The attack is still running: the last word.
                long lastMetrics = AttackIT.timed(() -> check(AttackIT.get(agent.metrics(), null)));
                long lastJolokia = AttackIT.timed(() -> check(AttackIT.get(read, operator)));
                maxRss = Math.max(maxRss, agent.rssKiB());
                attackers.shutdownNow();
                attackers.awaitTermination(30, TimeUnit.SECONDS);
                slow.forEach(AttackLoadIT::close);

                System.out.printf("[attack-load] %d s of D1+D2+D10+D11 from loopback; requests sent: %s%n", seconds, sent);
                System.out.printf("[attack-load] /metrics: median %d ms, max %d ms, last %d ms (%d probes)%n",
                        AttackIT.median(metrics), Collections.max(metrics), lastMetrics, metrics.size());
                System.out.printf("[attack-load] Jolokia authenticated read: median %d ms, max %d ms, last %d ms (%d probes)%n",
                        AttackIT.median(jolokia), Collections.max(jolokia), lastJolokia, jolokia.size());
                System.out.printf("[attack-load] probe failures %d; agent VmRSS max %d MiB%n", failures, maxRss >> 10);

                assertTrue(agent.alive(), "the agent died under attack:\n" + agent.output());
                assertEquals(0, failures, "probes that got no 200 answer");
                assertTrue(lastMetrics < 1000, "/metrics took " + lastMetrics + " ms after " + seconds + " s of attack");
                assertTrue(lastJolokia < 1000, "the authenticated read took " + lastJolokia + " ms after " + seconds + " s of attack");
                assertTrue(maxRss >> 10 < RSS_BOUND_MIB, "VmRSS reached " + (maxRss >> 10) + " MiB, bound " + RSS_BOUND_MIB);
            }
        }
    }

    private static Object check(HttpResponse<String> r) {
        if (r.statusCode() != 200 || r.body().contains("\"status\":4") || r.body().contains("\"status\":5")) {
            throw new AssertionError("probe answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    private static boolean close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
        return true;
    }

    private static Runnable loop(long deadline, Map<String, AtomicLong> sent, String what, AttackIT.Call call) {
        return () -> {
            while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                try {
                    call.run();
                    sent.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    sent.computeIfAbsent(what + " (error)", k -> new AtomicLong()).incrementAndGet();
                }
            }
        };
    }
}
