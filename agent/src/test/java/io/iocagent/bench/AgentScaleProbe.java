package io.iocagent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.agent.AgentDaemon;
import io.iocagent.agent.AgentSettings;
import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.conf.UnitTemplates;
import io.iocagent.jmx.JmxSurface;
import io.iocagent.model.Readiness;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.UnitName;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.AttributeChangeNotification;
import javax.management.AttributeList;
import javax.management.MBeanServer;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Opt-in measurement of the whole agent at scale: {@code -Diocagent.scale=N} installs and starts N
 * healthy stand-in IOCs, starts the agent in-process (poll 5 s) and times /metrics scrapes, a JMX
 * bulk read, a Jolokia bulk read and state change → AttributeChangeNotification; then runs the
 * agent as its own process ({@code java -jar agent/target/ioc-agent.jar --local agent}) to read its
 * idle CPU and its RSS after a GC. A measurement, not a test: its name matches no test pattern, so
 * only {@code -Dit.test=AgentScaleProbe} runs it (see docs/benchmarks-agent.md).
 */
class AgentScaleProbe {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();
    private static final String[] JMX_ATTRIBUTES = {"Name", "ActiveState", "SubState", "Readiness", "MainPid",
            "CpuSeconds", "MemoryBytes", "ServiceRestarts", "UptimeSeconds", "SocketState"};
    private static final Map<String, String> RESULTS = new LinkedHashMap<>();

    @Test
    void measureTheAgentAtScale() throws Exception {
        String wanted = System.getProperty("iocagent.scale");
        Assumptions.assumeTrue(wanted != null && !wanted.isBlank(), "set -Diocagent.scale=N to run");
        int n = Integer.parseInt(wanted);
        int reps = Integer.getInteger("iocagent.reps", 300);
        int idleSeconds = Integer.getInteger("iocagent.idle", 60);
        try (TestBed bed = TestBed.open();
             SystemdBus bus = SystemdBus.connect(bed.busAddress(), Duration.ofSeconds(30))) {
            Account account = Account.current(bed.env());
            Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), account);
            bus.linkUnitFile(Files.writeString(bed.root().resolve(layout.templateFileName()),
                    UnitTemplates.local(layout.confDir(), layout.logDir(), Path.of("/usr/bin/procServ"))), true);
            Path boot = bed.iocBoot("standin", Behaviour.HEALTHY);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                names.add(bed.iocName("s" + i));
            }

            AgentSettings settings = AgentSettings.load(Optional.empty(), Map.of("jolokia.port", "0",
                    "metrics.port", "0", "poll.interval", "5s"));
            try (AgentDaemon agent = AgentDaemon.start(settings, layout, account, bed.env(), bed.busAddress())) {
                long t0 = System.nanoTime();
                for (String name : names) { // the scale probe's fast install: write the confs directly
                    String text = "IOC_CMD=\"./st.cmd\"\nIOC_CHDIR=\"" + boot + "\"\nIOC_PORT=\""
                            + IocPort.standard(layout.identity(), layout.runDir(), new IocName(name)) + "\"\n";
                    Path staged = Files.writeString(bed.root().resolve(name + ".staged"), text);
                    Files.move(staged, layout.confDir().resolve(name + ".conf"), StandardCopyOption.ATOMIC_MOVE);
                }
                TestBed.await(Duration.ofMinutes(5), "all installed", () -> agent.model().current().iocs().size() == n);
                ExecutorService starters = Executors.newFixedThreadPool(8);
                List<Future<?>> starts = new ArrayList<>();
                for (String name : names) {
                    starts.add(starters.submit(() -> bus.start(UnitName.of(layout.templatePrefix(), name),
                            Duration.ofSeconds(60))));
                }
                for (Future<?> f : starts) {
                    f.get();
                }
                starters.shutdown();
                TestBed.await(Duration.ofMinutes(5), "all READY",
                        () -> agent.model().current().count(Readiness.READY) == n);
                System.out.printf("[agent-scale] n=%d installed and READY in %d ms%n", n,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                Thread.sleep(6_000); // one full 5 s poll with everyone running

                measureScrape("in-process", agent.metricsUrl().orElseThrow(), n, reps);
                measureJmx(n, reps);
                measureJolokia(agent.jolokiaUrl().orElseThrow(), n, reps);
                measureNotifications(bus, layout, names);

                System.gc();
                Thread.sleep(1_000);
                System.gc();
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                RESULTS.put("failsafe JVM (agent + probe + JUnit): heap used after GC", (heap >> 20) + " MiB");
                RESULTS.put("failsafe JVM (agent + probe + JUnit): VmRSS after GC",
                        (vmRssKiB(ProcessHandle.current().pid()) >> 10) + " MiB");
            }

            // -Diocagent.agent.jvm="OPTS|OPTS…": one agent process per option set, one after the other
            for (String opts : System.getProperty("iocagent.agent.jvm", "").split("\\|", -1)) {
                measureSeparateProcess(bed, n, reps, idleSeconds, opts.trim());
            }

            System.out.println("[agent-scale] ===== results, n=" + n + " =====");
            RESULTS.forEach((k, v) -> System.out.printf("[agent-scale] %-78s %s%n", k, v));
        }
    }

    // ---- (1) /metrics ------------------------------------------------------------------------

    private static void measureScrape(String where, String url, int n, int reps) throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create(url)).GET().build();
        String body = HTTP.send(get, HttpResponse.BodyHandlers.ofString()).body();
        int ready = count(body, "epics_ioc_ready{");
        assertTrue(ready >= n, "every IOC in /metrics: " + ready);
        for (int i = 0; i < 50; i++) {
            HTTP.send(get, HttpResponse.BodyHandlers.ofString());
        }
        long[] t = new long[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            HttpResponse<String> r = HTTP.send(get, HttpResponse.BodyHandlers.ofString());
            t[i] = System.nanoTime() - s;
            assertEquals(200, r.statusCode());
        }
        RESULTS.put("(1) /metrics GET, " + where + " (" + (body.length() >> 10) + " KiB, "
                + body.lines().count() + " lines), " + reps + " reps", stats(t));
    }

    // ---- (2) JMX bulk read -------------------------------------------------------------------

    private static void measureJmx(int n, int reps) throws Exception {
        ObjectName pattern = new ObjectName(JmxSurface.DOMAIN + ":type=Ioc,*");
        for (int i = 0; i < 20; i++) {
            jmxBulk(pattern, n);
        }
        long[] t = new long[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            jmxBulk(pattern, n);
            t[i] = System.nanoTime() - s;
        }
        RESULTS.put("(2) JMX queryNames + getAttributes(" + JMX_ATTRIBUTES.length + " attrs) x " + n
                + " MBeans, " + reps + " reps", stats(t));
    }

    private static void jmxBulk(ObjectName pattern, int n) throws Exception {
        Set<ObjectName> beans = MBEANS.queryNames(pattern, null);
        int values = 0;
        for (ObjectName bean : beans) {
            AttributeList list = MBEANS.getAttributes(bean, JMX_ATTRIBUTES);
            values += list.size();
        }
        if (beans.size() < n || values != beans.size() * JMX_ATTRIBUTES.length) {
            throw new AssertionError("bulk read saw " + beans.size() + " MBeans, " + values + " values");
        }
    }

    // ---- (3) Jolokia bulk read ---------------------------------------------------------------

    private static void measureJolokia(String url, int n, int reps) throws Exception {
        String json = "{\"type\":\"read\",\"mbean\":\"" + JmxSurface.DOMAIN + ":type=Ioc,*\","
                + "\"attribute\":[\"ActiveState\",\"Readiness\",\"MemoryBytes\",\"CpuSeconds\"]}";
        HttpRequest post = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        String first = HTTP.send(post, HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(first.contains("\"status\":200"), first.substring(0, Math.min(400, first.length())));
        int beans = count(first, "type=Ioc,name=");
        assertTrue(beans >= n, "every IOC in the Jolokia reply: " + beans);
        for (int i = 0; i < 20; i++) {
            HTTP.send(post, HttpResponse.BodyHandlers.ofString());
        }
        long[] t = new long[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            HttpResponse<String> r = HTTP.send(post, HttpResponse.BodyHandlers.ofString());
            t[i] = System.nanoTime() - s;
            assertEquals(200, r.statusCode());
        }
        RESULTS.put("(3) Jolokia POST read epics.ioc:type=Ioc,* (4 attrs, " + (first.length() >> 10)
                + " KiB reply), " + reps + " reps", stats(t));
    }

    // ---- (4) state change -> notification ----------------------------------------------------

    private record Heard(String mbean, String value, long at) {
    }

    private static void measureNotifications(SystemdBus bus, Layout layout, List<String> names) throws Exception {
        int iocs = Integer.getInteger("iocagent.notify.iocs", 5);
        int cycles = Integer.getInteger("iocagent.notify.cycles", 4);
        LinkedBlockingQueue<Heard> heard = new LinkedBlockingQueue<>();
        NotificationListener listener = (notification, handback) -> {
            if (notification instanceof AttributeChangeNotification a && a.getAttributeName().equals("ActiveState")) {
                heard.add(new Heard(String.valueOf(handback), String.valueOf(a.getNewValue()), System.nanoTime()));
            }
        };
        List<String> probes = new ArrayList<>();
        for (int i = 0; i < iocs; i++) {
            probes.add(names.get((int) ((long) i * names.size() / iocs)));
        }
        for (String name : probes) {
            MBEANS.addNotificationListener(JmxSurface.iocObjectName(new IocName(name)), listener, null, name);
        }
        List<Long> fromReturn = new ArrayList<>();
        List<Long> fromCall = new ArrayList<>();
        int early = 0;
        try {
            for (int c = 0; c < cycles; c++) {
                for (String name : probes) {
                    for (String[] step : new String[][] {{"stop", "inactive"}, {"start", "active"}}) {
                        heard.clear();
                        UnitName unit = UnitName.of(layout.templatePrefix(), name);
                        long called = System.nanoTime();
                        if (step[0].equals("stop")) {
                            bus.stop(unit, Duration.ofSeconds(30));
                        } else {
                            bus.start(unit, Duration.ofSeconds(30));
                        }
                        long returned = System.nanoTime();
                        Heard h;
                        do {
                            h = heard.poll(30, TimeUnit.SECONDS);
                            assertTrue(h != null, "no ActiveState notification for " + name + " " + step[0]);
                        } while (!(h.mbean().equals(name) && h.value().equals(step[1])));
                        if (h.at() < returned) {
                            early++;
                        }
                        fromReturn.add(Math.max(0, h.at() - returned));
                        fromCall.add(h.at() - called);
                        if (step[0].equals("start")) { // let it reach READY again before the next stop
                            Thread.sleep(1_500);
                        }
                    }
                }
            }
        } finally {
            for (String name : probes) {
                MBEANS.removeNotificationListener(JmxSurface.iocObjectName(new IocName(name)), listener);
            }
        }
        RESULTS.put("(4) job done (stop/start returned) -> ActiveState notification, " + fromReturn.size()
                + " changes on " + iocs + " IOCs (" + early + " arrived before the call returned, counted 0)",
                stats(fromReturn.stream().mapToLong(Long::longValue).toArray()));
        RESULTS.put("(4') stop/start call issued -> ActiveState notification",
                stats(fromCall.stream().mapToLong(Long::longValue).toArray()));
    }

    // ---- (5), (6) the agent as its own process -----------------------------------------------

    private static void measureSeparateProcess(TestBed bed, int n, int reps, int idleSeconds, String opts)
            throws Exception {
        Path jar = locate("agent/target/ioc-agent.jar");
        int jolokiaPort = freePort();
        int metricsPort = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        Map<String, String> extraEnv = new HashMap<>();
        for (String token : opts.isBlank() ? new String[0] : opts.trim().split("\\s+")) {
            if (!token.startsWith("-") && token.contains("=")) { // NAME=value: environment, e.g. MALLOC_ARENA_MAX=2
                extraEnv.put(token.substring(0, token.indexOf('=')), token.substring(token.indexOf('=') + 1));
            } else {
                cmd.add(token);
            }
        }
        cmd.addAll(List.of("-jar", jar.toString(), "--local", "agent", "--jolokia.port=" + jolokiaPort,
                "--metrics.port=" + metricsPort, "--poll.interval=5s"));
        Path log = bed.root().resolve("agent-process.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(bed.env());
        pb.environment().remove("NOTIFY_SOCKET");
        pb.environment().putAll(extraEnv);
        Process agent = pb.start();
        String tag = "agent process [" + (opts.isBlank() ? "default JVM options" : opts) + "]";
        RESULTS.put("---- " + tag, "");
        try {
            long pid = agent.pid();
            String metrics = "http://127.0.0.1:" + metricsPort + "/metrics";
            long t0 = System.nanoTime();
            TestBed.await(Duration.ofMinutes(3), "the agent process to see " + n + " READY IOCs", () -> {
                assertTrue(agent.isAlive(), "agent process died; see " + log);
                try {
                    String body = HTTP.send(HttpRequest.newBuilder(URI.create(metrics)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    return count(body, "} 1.0\n", "epics_ioc_ready{") >= n;
                } catch (Exception e) {
                    return false;
                }
            });
            RESULTS.put(tag + ": start -> all " + n + " IOCs READY in /metrics",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
            Thread.sleep(15_000); // settle: JIT, a few polls
            long ticks0 = cpuTicks(pid);
            long wall0 = System.nanoTime();
            Thread.sleep(idleSeconds * 1_000L);
            long ticks = cpuTicks(pid) - ticks0;
            double wallSeconds = (System.nanoTime() - wall0) / 1e9;
            RESULTS.put("(5) " + tag + " CPU, idle " + idleSeconds + " s (utime+stime / wall)",
                    String.format("%.2f %% of one core (%d ticks)", ticks / 100.0 / wallSeconds * 100, ticks));
            RESULTS.put("(6) " + tag + " VmRSS before GC", (vmRssKiB(pid) >> 10) + " MiB");
            run("jcmd", String.valueOf(pid), "GC.run");
            Thread.sleep(2_000);
            RESULTS.put("(6) " + tag + " VmRSS after jcmd GC.run", (vmRssKiB(pid) >> 10) + " MiB");
            String heapInfo = run("jcmd", String.valueOf(pid), "GC.heap_info");
            Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(heapInfo);
            if (m.find()) {
                RESULTS.put("(6) " + tag + " heap after GC (committed / used)",
                        (Long.parseLong(m.group(1)) >> 10) + " / " + (Long.parseLong(m.group(2)) >> 10) + " MiB");
            }
            String nmt = run("jcmd", String.valueOf(pid), "VM.native_memory", "summary");
            if (nmt.contains("Total:")) {
                RESULTS.put("(6) " + tag + " NMT total", nmt.lines().filter(l -> l.contains("Total:"))
                        .findFirst().orElse("").trim());
            }
            RESULTS.put(tag + " threads", String.valueOf(threads(pid)));
            measureScrape(tag, metrics, n, reps);
        } finally {
            agent.destroy(); // SIGTERM: the agent closes its surfaces
            if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static String stats(long[] nanos) {
        long[] s = nanos.clone();
        java.util.Arrays.sort(s);
        double median = s[s.length / 2] / 1e6;
        double p95 = s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.95) - 1)] / 1e6;
        double max = s[s.length - 1] / 1e6;
        return String.format("median %.2f ms, p95 %.2f ms, min %.2f, max %.2f", median, p95, s[0] / 1e6, max);
    }

    private static int count(String text, String needle) {
        int c = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            c++;
        }
        return c;
    }

    /** Lines starting with {@code prefix} and ending with {@code suffix}. */
    private static int count(String text, String suffix, String prefix) {
        return (int) text.lines().filter(l -> l.startsWith(prefix) && (l + "\n").endsWith(suffix)).count();
    }

    private static long vmRssKiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static int threads(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** utime + stime in clock ticks (USER_HZ = 100). */
    private static long cpuTicks(long pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst(".*\\) ", "").split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path locate(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
            if (Files.exists(dir.resolve(relative.replaceFirst("^agent/", "")))) {
                return dir.resolve(relative.replaceFirst("^agent/", ""));
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(relative + " not found; run mvn install first");
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
