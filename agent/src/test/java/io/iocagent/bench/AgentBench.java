package io.iocagent.bench;

import io.iocagent.agent.AgentDaemon;
import io.iocagent.agent.AgentSettings;
import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.conf.UnitTemplates;
import io.iocagent.jmx.Disclosure;
import io.iocagent.jmx.IocMXBean;
import io.iocagent.jmx.JmxSurface;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.AttributeChangeNotification;
import javax.management.MBeanServer;
import javax.management.NotificationListener;

/**
 * The agent at scale, measured beside node_exporter's systemd collector on the same fleet (see
 * docs/benchmarks-agent.md): builds a fleet of N healthy stand-in IOCs under the user manager
 * (an isolated {@link TestBed} template prefix, removed afterwards), then
 * <ol>
 *   <li>runs the agent as its own process through {@code deploy/bin/ioc-runner --local agent}, so
 *       with the shipped JVM options (plus {@code IOC_AGENT_JAVA_OPTS} of an option set), and
 *       measures start → every IOC in the model, idle CPU, RSS, {@code /metrics} interleaved
 *       with node_exporter's, and the Jolokia bulk read of every attribute of every IOC;</li>
 *   <li>runs the agent in-process (for the platform MBeanServer) and times state change →
 *       {@code AttributeChangeNotification} while {@code /metrics} is scraped every second,
 *       checking every notification's sequence number.</li>
 * </ol>
 * Figures are returned by name (see {@link Row}); nothing here asserts a time.
 */
final class AgentBench {

    /** One measured figure: a median and a p95 in ms, or a plain value. */
    record Row(String value, double median) {
        static Row of(String value) {
            return new Row(value, Double.NaN);
        }
    }

    /**
     * @param n              IOCs in the fleet
     * @param reps           timed HTTP requests per measurement (after a tenth of them as warm-up)
     * @param settleSeconds  wait after the agent process has every IOC, before measuring
     * @param idleSeconds    the idle CPU window
     * @param notifyIocs     IOCs stopped and started for the notification measurement
     * @param notifyCycles   stop/start cycles per such IOC
     * @param javaOpts       {@code IOC_AGENT_JAVA_OPTS} for the agent process, one run per entry
     *                       (empty: the shipped options only); figures of later entries are named with it
     * @param jars           agent jars to measure in turn on the same fleet, each with every entry of
     *                       {@code javaOpts} (empty: the build's {@code agent/target/ioc-agent.jar});
     *                       with more than one, figures are named with the run's number and jar, so
     *                       an older build and this one can be measured interleaved
     */
    record Config(int n, int reps, int settleSeconds, int idleSeconds, int notifyIocs, int notifyCycles,
                  List<String> javaOpts, List<String> jars) {
    }

    static final Path NODE_EXPORTER = Path.of("/usr/bin/prometheus-node-exporter");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();

    private AgentBench() {
    }

    static Map<String, Row> run(Config c) throws Exception {
        Map<String, Row> rows = new LinkedHashMap<>();
        rows.put("load average (1 min) at start", Row.of(loadAverage()));
        try (TestBed bed = TestBed.open();
             SystemdBus bus = SystemdBus.connect(bed.busAddress(), Duration.ofSeconds(60))) {
            Account account = Account.current(bed.env());
            Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), account);
            bus.linkUnitFile(Files.writeString(bed.root().resolve(layout.templateFileName()),
                    UnitTemplates.local(layout.confDir(), layout.logDir(), Path.of("/usr/bin/procServ"))), true);
            List<String> names = buildFleet(bed, bus, layout, c.n(), rows);
            List<String> jars = c.jars().isEmpty() ? List.of("") : c.jars();
            for (int r = 0; r < jars.size(); r++) {
                Path jar = jars.get(r).isBlank() ? locate("agent/target/ioc-agent.jar") : Path.of(jars.get(r));
                String run = jars.size() == 1 ? "" : " [run " + (r + 1) + ", " + jar + "]";
                for (int i = 0; i < c.javaOpts().size(); i++) {
                    String opts = c.javaOpts().get(i);
                    Map<String, Row> measured = new LinkedHashMap<>();
                    measureAgentProcess(bed, layout, c, jar, opts, measured);
                    String tag = i == 0 ? "" : " [" + (opts.isBlank() ? "shipped options" : opts) + "]";
                    measured.forEach((k, v) -> rows.put(k + tag + run, v));
                }
            }
            measureNotifications(bed, bus, layout, account, names, c, rows);
            rows.put("load average (1 min) at end", Row.of(loadAverage()));
        }
        return rows;
    }

    // ---- the fleet -----------------------------------------------------------------------------

    private static List<String> buildFleet(TestBed bed, SystemdBus bus, Layout layout, int n, Map<String, Row> rows)
            throws Exception {
        Path boot = bed.iocBoot("standin", Behaviour.HEALTHY);
        List<String> names = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String name = bed.iocName("s" + i);
            names.add(name);
            String text = "IOC_CMD=\"./st.cmd\"\nIOC_CHDIR=\"" + boot + "\"\nIOC_PORT=\""
                    + IocPort.standard(layout.identity(), layout.runDir(), new IocName(name)) + "\"\n";
            Path staged = Files.writeString(bed.root().resolve(name + ".staged"), text);
            Files.move(staged, layout.confDir().resolve(name + ".conf"), StandardCopyOption.ATOMIC_MOVE);
        }
        ExecutorService starters = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> starts = new ArrayList<>();
            for (String name : names) {
                starts.add(starters.submit(() -> bus.start(UnitName.of(layout.templatePrefix(), name),
                        Duration.ofSeconds(120))));
            }
            for (Future<?> f : starts) {
                f.get();
            }
        } finally {
            starters.shutdown();
        }
        TestBed.await(Duration.ofMinutes(10), "all " + n + " units active", () -> bus.listUnits(layout.templatePrefix())
                .values().stream().filter(u -> u.activeState().equals("active")).count() == n);
        rows.put("fleet built (confs written, units started)",
                Row.of(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + " s"));
        return names;
    }

    // ---- the agent as its own process, beside node_exporter ------------------------------------

    private static void measureAgentProcess(TestBed bed, Layout layout, Config c, Path jar, String javaOpts,
                                            Map<String, Row> rows) throws Exception {
        int jolokiaPort = freePort();
        int metricsPort = freePort();
        Path log = bed.root().resolve("agent-process.log");
        ProcessBuilder pb = new ProcessBuilder(locate("deploy/bin/ioc-runner").toString(), "--local", "agent",
                "--jolokia.port=" + jolokiaPort, "--metrics.port=" + metricsPort)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(bed.env());
        pb.environment().remove("NOTIFY_SOCKET");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("IOC_AGENT_JAR", jar.toString());
        pb.environment().put("IOC_AGENT_JAVA_OPTS", javaOpts);
        String metrics = "http://127.0.0.1:" + metricsPort + "/metrics";
        long t0 = System.nanoTime();
        Process agent = pb.start();
        Process exporter = null;
        try {
            long pid = agent.pid();
            TestBed.await(Duration.ofMinutes(5), "the agent process to hold all " + c.n() + " IOCs", () -> {
                if (!agent.isAlive()) {
                    throw new AssertionError("the agent process died; see " + log + ":\n" + tail(log));
                }
                try {
                    return gauge(get(metrics), "epics_ioc_agent_iocs") >= c.n();
                } catch (Exception e) {
                    return false;
                }
            });
            rows.put("start -> all IOCs in the model", Row.of(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms"));
            Thread.sleep(c.settleSeconds() * 1_000L);
            long ticks0 = cpuTicks(pid);
            long wall0 = System.nanoTime();
            Thread.sleep(c.idleSeconds() * 1_000L);
            double cpu = (cpuTicks(pid) - ticks0) / 100.0 / ((System.nanoTime() - wall0) / 1e9) * 100;
            rows.put("idle CPU, % of one core (" + c.idleSeconds() + " s)", new Row(String.format("%.2f %%", cpu), cpu));
            long rss = vmRssKiB(pid) >> 10;
            rows.put("RSS", new Row(rss + " MiB", rss));

            String body = get(metrics);
            rows.put("/metrics size / series", Row.of((body.length() >> 10) + " KiB / "
                    + body.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count()));
            Optional<String> nodeExporter = Optional.empty();
            if (Files.isExecutable(NODE_EXPORTER)) {
                int port = freePort();
                ProcessBuilder ne = new ProcessBuilder(NODE_EXPORTER.toString(),
                        "--web.listen-address=127.0.0.1:" + port, "--web.disable-exporter-metrics",
                        "--collector.disable-defaults", "--collector.systemd",
                        "--collector.systemd.unit-include=" + Pattern.quote(layout.templatePrefix()) + ".+")
                        .redirectErrorStream(true).redirectOutput(bed.root().resolve("node-exporter.log").toFile());
                // Its systemd collector talks to "the system bus": here, the user manager's.
                ne.environment().put("DBUS_SYSTEM_BUS_ADDRESS", bed.busAddress());
                exporter = ne.start();
                String url = "http://127.0.0.1:" + port + "/metrics";
                Process started = exporter;
                TestBed.await(Duration.ofSeconds(60), "node_exporter to list the fleet's units", () -> {
                    if (!started.isAlive()) {
                        throw new AssertionError("node_exporter died: " + tail(bed.root().resolve("node-exporter.log")));
                    }
                    try {
                        return get(url).contains("node_systemd_unit_state{");
                    } catch (Exception e) {
                        return false;
                    }
                });
                String neBody = get(url);
                long units = neBody.lines().filter(l -> l.startsWith("node_systemd_unit_state{") && l.endsWith(" 1")
                        && l.contains("state=\"active\"")).count();
                rows.put("node_exporter: active units it reports", Row.of(Long.toString(units)));
                nodeExporter = Optional.of(url);
            }
            long[][] scrapes = interleaved(metrics, nodeExporter, c.reps());
            rows.put("/metrics (agent)", timing(scrapes[0]));
            if (nodeExporter.isPresent()) {
                rows.put("node_exporter systemd collector", timing(scrapes[1]));
                rows.put("node_exporter / agent (medians)", Row.of(String.format("%.1f x",
                        median(scrapes[1]) / median(scrapes[0]))));
            } else {
                rows.put("node_exporter systemd collector", Row.of("not installed (" + NODE_EXPORTER + ")"));
            }
            measureJolokia("http://127.0.0.1:" + jolokiaPort + "/jolokia/", c, rows);
            rows.put("RSS / threads after the Jolokia reads", Row.of((vmRssKiB(pid) >> 10) + " MiB / "
                    + statusField(pid, "Threads:")));
            String heap = run("jcmd", Long.toString(pid), "GC.run") + run("jcmd", Long.toString(pid), "GC.heap_info");
            // One "total NK, used NK" line per generation (SerialGC: young and tenured): their sum.
            Matcher m = Pattern.compile("generation\\s+total (\\d+)K, used (\\d+)K").matcher(heap);
            long committed = 0;
            long used = 0;
            while (m.find()) {
                committed += Long.parseLong(m.group(1));
                used += Long.parseLong(m.group(2));
            }
            rows.put("heap committed / used after a full GC", Row.of((committed >> 10) + " / " + (used >> 10) + " MiB"));
        } finally {
            if (exporter != null) {
                exporter.destroy();
                exporter.waitFor(10, TimeUnit.SECONDS);
            }
            agent.destroy(); // SIGTERM: the agent closes its surfaces
            if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    /** Alternating GETs of the agent's and node_exporter's /metrics, so both see the same load. */
    private static long[][] interleaved(String agent, Optional<String> exporter, int reps) throws Exception {
        for (int i = 0; i < Math.max(5, reps / 10); i++) {
            get(agent);
            if (exporter.isPresent()) {
                get(exporter.get());
            }
        }
        long[] a = new long[reps];
        long[] e = new long[exporter.isPresent() ? reps : 0];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            get(agent);
            a[i] = System.nanoTime() - s;
            if (exporter.isPresent()) {
                s = System.nanoTime();
                get(exporter.get());
                e[i] = System.nanoTime() - s;
            }
        }
        return new long[][] {a, e};
    }

    private static void measureJolokia(String url, Config c, Map<String, Row> rows) throws Exception {
        // Every attribute an anonymous viewer may read (the private ones need a login).
        List<String> attributes = Arrays.stream(IocMXBean.class.getMethods())
                .filter(m -> m.getParameterCount() == 0 && (m.getName().startsWith("get") || m.getName().startsWith("is")))
                .map(m -> m.getName().replaceFirst("^(get|is)", ""))
                .filter(a -> !Disclosure.PRIVATE_IOC_ATTRIBUTES.contains(a)).sorted().toList();
        String json = "{\"type\":\"read\",\"mbean\":\"" + JmxSurface.DOMAIN + ":type=Ioc,*\",\"attribute\":["
                + String.join(",", attributes.stream().map(a -> "\"" + a + "\"").toList()) + "]}";
        HttpRequest post = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        String first = HTTP.send(post, HttpResponse.BodyHandlers.ofString()).body();
        // One key per IOC MBean, in canonical (name=…,type=Ioc) or registration order.
        int beans = (int) Pattern.compile("\"" + JmxSurface.DOMAIN.replace(".", "\\.") + ":[^\"]*type=Ioc[^\"]*\":")
                .matcher(first).results().count();
        boolean error = !first.contains("\"status\":200");
        rows.put("Jolokia bulk read: IOCs in the reply", Row.of(beans + " of " + c.n()
                + (error ? " (refused: " + errorOf(first) + ")" : "")));
        int reps = Math.max(5, c.reps() / 3);
        long[] t = new long[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            HTTP.send(post, HttpResponse.BodyHandlers.ofString());
            t[i] = System.nanoTime() - s;
        }
        rows.put("Jolokia read of every IOC, " + attributes.size() + " attributes (" + (first.length() >> 10) + " KiB)", timing(t));
    }

    // ---- notifications, in-process, while scraped every second ----------------------------------

    private record Heard(String ioc, String value, long sequence, long at) {
    }

    private static void measureNotifications(TestBed bed, SystemdBus bus, Layout layout, Account account,
                                             List<String> names, Config c, Map<String, Row> rows) throws Exception {
        AgentSettings settings = AgentSettings.load(Optional.empty(), Map.of("jolokia.port", "0", "metrics.port", "0"));
        try (AgentDaemon agent = AgentDaemon.start(settings, layout, account, bed.env(), bed.busAddress())) {
            agent.model().firstFullSnapshot().get(5, TimeUnit.MINUTES);
            String metrics = agent.metricsUrl().orElseThrow();
            AtomicBoolean scraping = new AtomicBoolean(true);
            AtomicInteger scrapes = new AtomicInteger();
            Thread scraper = new Thread(() -> {
                while (scraping.get()) {
                    try {
                        get(metrics);
                        scrapes.incrementAndGet();
                        Thread.sleep(1_000);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // counted by its absence
                    }
                }
            }, "bench-scraper");
            scraper.setDaemon(true);
            scraper.start();
            LinkedBlockingQueue<Heard> heard = new LinkedBlockingQueue<>();
            NotificationListener listener = (notification, handback) -> {
                if (notification instanceof AttributeChangeNotification a && a.getAttributeName().equals("ActiveState")) {
                    heard.add(new Heard(String.valueOf(handback), String.valueOf(a.getNewValue()),
                            a.getSequenceNumber(), System.nanoTime()));
                }
            };
            List<String> probes = new ArrayList<>();
            for (int i = 0; i < c.notifyIocs(); i++) {
                probes.add(names.get((int) ((long) i * names.size() / c.notifyIocs())));
            }
            for (String name : probes) {
                MBEANS.addNotificationListener(JmxSurface.iocObjectName(new IocName(name)), listener, null, name);
            }
            List<Long> latencies = new ArrayList<>();
            int lost = 0;
            int sequenceProblems = 0;
            Map<String, Long> lastSequence = new HashMap<>();
            try {
                for (int cycle = 0; cycle < c.notifyCycles(); cycle++) {
                    for (String name : probes) {
                        for (String[] step : new String[][] {{"stop", "inactive"}, {"start", "active"}}) {
                            UnitName unit = UnitName.of(layout.templatePrefix(), name);
                            if (step[0].equals("stop")) {
                                bus.stop(unit, Duration.ofSeconds(60));
                            } else {
                                bus.start(unit, Duration.ofSeconds(60));
                            }
                            long returned = System.nanoTime();
                            Heard h;
                            do {
                                h = heard.poll(5, TimeUnit.SECONDS);
                                if (h != null) {
                                    Long previous = lastSequence.put(h.ioc(), h.sequence());
                                    if (previous != null && h.sequence() <= previous) {
                                        sequenceProblems++;
                                    }
                                }
                            } while (h != null && !(h.ioc().equals(name) && h.value().equals(step[1])));
                            if (h == null) {
                                lost++;
                            } else {
                                latencies.add(Math.max(0, h.at() - returned));
                            }
                        }
                    }
                }
            } finally {
                scraping.set(false);
                scraper.interrupt();
                for (String name : probes) {
                    MBEANS.removeNotificationListener(JmxSurface.iocObjectName(new IocName(name)), listener);
                }
            }
            rows.put("state change -> JMX notification (" + latencies.size() + " changes, scraped every 1 s, "
                    + scrapes.get() + " scrapes)", timing(latencies.stream().mapToLong(Long::longValue).toArray()));
            rows.put("notifications lost (none within 5 s) / sequence numbers out of order",
                    Row.of(lost + " / " + sequenceProblems));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    static Row timing(long[] nanos) {
        if (nanos.length == 0) {
            return Row.of("no samples");
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        double median = s[s.length / 2] / 1e6;
        double p95 = s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.95) - 1)] / 1e6;
        return new Row(String.format("%.1f / %.1f ms", median, p95), median);
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    private static String get(String url) throws Exception {
        // Generous: node_exporter's collector took seconds per scrape at 1,000 units on a loaded host.
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(180))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode());
        }
        return r.body();
    }

    private static double gauge(String body, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static long vmRssKiB(long pid) throws Exception {
        return statusField(pid, "VmRSS:");
    }

    /** The number on the {@code field} line of {@code /proc/PID/status}, -1 when there is none. */
    private static long statusField(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** utime + stime in clock ticks (USER_HZ = 100). */
    private static long cpuTicks(long pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst(".*\\) ", "").split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** Jolokia's {@code "error"} text of a failed reply, or its beginning when it has none. */
    private static String errorOf(String reply) {
        Matcher m = Pattern.compile("\"error\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(reply);
        return m.find() ? m.group(1) : reply.substring(0, Math.min(300, reply.length()));
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + " on "
                    + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (Exception e) {
            return "(" + e + ")";
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Path locate(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath()
                + "; build the jar first (mvn -B package -DskipTests)");
    }
}
