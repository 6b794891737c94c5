package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.agent.AgentDaemon;
import io.iocagent.agent.AgentSettings;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.http.Dashboards.Dashboard;
import io.iocagent.http.Dashboards.LabelValues;
import io.iocagent.http.Dashboards.Target;
import io.iocagent.model.Readiness;
import io.iocagent.posix.Account;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.EpicsBase;
import io.iocagent.testbed.EpicsIoc;
import io.iocagent.testbed.TestBed;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every query of the shipped dashboards and alert rules, run by a real Prometheus against a real
 * agent watching real IOCs: the test bed's user manager and procServ run a healthy stand-in IOC, a
 * crash-looping one and an installed but stopped one; the agent serves /metrics in-process;
 * Prometheus scrapes it every second with the shipped {@code prometheus.yml} (its file_sd targets
 * file pointing at the agent) and loads the shipped {@code alerts.yml}.
 */
class DashboardQueriesIT {

    private static final String JOB = "ioc-agent";
    private static final Duration SCRAPED = Duration.ofSeconds(30);

    private static TestBed bed;
    private static AgentDaemon agent;
    private static PrometheusServer prometheus;
    private static String healthy;
    private static String looping;
    private static String stopped;
    private static String target;

    @BeforeAll
    static void startFleetAgentAndPrometheus() throws Exception {
        Path binary = PrometheusServer.binary();
        bed = TestBed.open();
        AgentSettings settings = AgentSettings.load(Optional.empty(),
                Map.of("jolokia.enabled", "false", "metrics.port", "0", "poll.interval", "1s"));
        Account account = Account.current(bed.env());
        agent = AgentDaemon.start(settings, Layout.resolve(Mode.LOCAL, bed.env(), account), account, bed.env(),
                bed.busAddress());
        // Installed while the agent watches, so every counter series starts at 0 in Prometheus.
        // The healthy IOC is a real softIoc, so the hang probe's panels have a series to show.
        healthy = installedSoftIoc("healthy");
        looping = installed("loop", Behaviour.CRASHLOOP);
        stopped = installed("stopped", Behaviour.HEALTHY);
        assertEquals(0, cli("--local", "start", healthy), "start " + healthy);
        bed.systemctl("start", bed.unit(looping)); // the CLI's start would judge it a crash loop (exit 1)

        target = URI.create(agent.metricsUrl().orElseThrow()).getAuthority();
        Path dir = Files.createDirectories(bed.root().resolve("prometheus"));
        prometheus = PrometheusServer.start(binary, dir, PrometheusServer.shippedConfigScraping(dir, target));
        awaitData("the agent scraped (up == 1)", "up{job=\"" + JOB + "\"} == 1");
        awaitData(healthy + " ready in Prometheus", "epics_ioc_ready{ioc=\"" + healthy + "\"} == 1");
    }

    @AfterAll
    static void stopEverything() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void everyPanelQueryOfBothDashboardsReturnsData() {
        // Rates need two samples inside $__rate_interval.
        awaitData("a CPU rate for " + healthy, "rate(epics_ioc_cpu_seconds_total{ioc=\"" + healthy + "\"}[1m])");
        awaitData("a probe round trip for " + healthy, "epics_ioc_probe_seconds{ioc=\"" + healthy + "\"}");
        List<String> failures = new ArrayList<>();
        int queried = 0;
        for (Dashboard d : Dashboards.shipped()) {
            for (Target t : d.targets()) {
                String promql = Dashboards.substitute(t.expr(), grafanaVariables());
                queried++;
                try {
                    if (prometheus.query(promql).isEmpty()) {
                        failures.add(t.describe() + "\n    ran as " + promql + "\n    returned no data");
                    }
                } catch (AssertionError | RuntimeException e) {
                    failures.add(t.describe() + "\n    ran as " + promql + "\n    failed: " + e.getMessage());
                }
            }
        }
        assertTrue(queried >= 30, "only " + queried + " panel queries found");
        assertTrue(failures.isEmpty(), failures.size() + " of " + queried + " panel queries failed:\n"
                + String.join("\n", failures));
    }

    @Test
    void everyTemplateVariableListsTheTestFleet() {
        Map<String, String> expected = Map.of("job", JOB, "instance", target, "ioc", healthy);
        int checked = 0;
        for (Dashboard d : Dashboards.shipped()) {
            for (Map<String, Object> v : d.variables()) {
                if (!"query".equals(v.get("type"))) {
                    continue;
                }
                String name = String.valueOf(v.get("name"));
                LabelValues query = LabelValues.parse(String.valueOf(v.get("definition")));
                String selector = query.selector() == null ? null : Dashboards.substitute(query.selector(), grafanaVariables());
                List<Object> values = prometheus.labelValues(query.label(), selector);
                assertTrue(values.contains(expected.get(name)), "'" + d.title() + "' variable $" + name + " ("
                        + v.get("definition") + ") lists " + values + ", not " + expected.get(name));
                if (name.equals("ioc")) {
                    assertTrue(values.containsAll(List.of(healthy, looping, stopped)), "$ioc lists " + values);
                }
                checked++;
            }
        }
        assertEquals(5, checked, "query variables of both dashboards");
    }

    @Test
    void fleetStatsCountTheTestFleet() {
        Dashboard fleet = fleet();
        assertEquals(3.0, stat(fleet, "IOCs"));
        assertEquals(2.0, stat(fleet, "Active"), "healthy and crash-looping are active");
        assertEquals(1.0, stat(fleet, "Inactive"), "installed but stopped");
        assertEquals(0.0, stat(fleet, "Failed"));
        assertEquals(1.0, stat(fleet, "Ready"));
        assertEquals(1.0, stat(fleet, "Running, not ready"), "the crash-looping one");
        assertEquals(1.0, stat(fleet, "Agents up"));
        assertEquals(1.0, stat(fleet, "systemd connected"));
    }

    @Test
    void theShippedScrapeConfigAddsAHostLabelWithoutThePort() {
        List<Object> up = prometheus.query("up{job=\"" + JOB + "\"}");
        assertEquals(1, up.size(), up.toString());
        Map<String, Object> labels = Dashboards.map(Dashboards.map(up.get(0)).get("metric"));
        assertEquals(target, labels.get("instance"), labels.toString());
        assertEquals("127.0.0.1", labels.get("host"), labels.toString());
    }

    @Test
    void theShippedAlertRulesAllLoadAndEvaluateWithoutError() throws Exception {
        Set<String> shipped = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s*- alert: (\\w+)").matcher(
                Files.readString(Dashboards.checkoutPath("deploy/prometheus/alerts.yml")));
        while (m.find()) {
            shipped.add(m.group(1));
        }
        assertEquals(8, shipped.size(), "alerts in alerts.yml: " + shipped);
        assertEquals(shipped, rules().keySet(), "rules Prometheus loaded");
        TestBed.await(SCRAPED, "every rule evaluated once", () -> rules().values().stream()
                .noneMatch(r -> "unknown".equals(r.get("health"))));
        String unhealthy = rules().values().stream().filter(r -> !"ok".equals(r.get("health")))
                .map(r -> r.get("name") + ": " + r.get("health") + " " + r.get("lastError"))
                .collect(Collectors.joining("\n"));
        assertTrue(unhealthy.isEmpty(), "rules that do not evaluate cleanly:\n" + unhealthy);
    }

    @Test
    void theCrashLoopingIocTripsTheCrashLoopRuleAndTheOthersDoNot() {
        String crashLoop = String.valueOf(rules().get("IocCrashLooping").get("query"));
        // procServ restarts a child that died young after a 15 s holdoff: two restarts take ~30 s.
        TestBed.await(Duration.ofSeconds(120), looping + " in " + crashLoop,
                () -> iocsIn(prometheus.query(crashLoop)).contains(looping));
        Set<String> tripped = iocsIn(prometheus.query(crashLoop));
        assertFalse(tripped.contains(healthy), crashLoop + " also returns " + tripped);
        assertFalse(tripped.contains(stopped), crashLoop + " also returns " + tripped);
        assertEquals(1.0, stat(fleet(), "Crash-looping"), "the fleet's crash-looping count");
        // One definition: the dashboard's counts are the manager MBean's, and so are the sums of
        // epics_ioc_readiness over every Readiness value (what Prometheus holds lags by a scrape).
        TestBed.await(SCRAPED, "the fleet dashboard's Failed and Crash-looping equal the manager MBean's counts",
                () -> stat(fleet(), "Failed") == managerCount("FailedCount")
                        && stat(fleet(), "Crash-looping") == managerCount("CrashLoopCount"));
        TestBed.await(SCRAPED, "sum by (state) (epics_ioc_readiness) equals the manager's ReadinessCounts",
                () -> readinessSums().equals(managerReadinessCounts()));
        assertEquals(1.0, managerCount("CrashLoopCount"), "CrashLoopCount with one crash-looping stand-in");
        assertEquals(0.0, managerCount("FailedCount"), "FailedCount");

        TestBed.await(SCRAPED, "IocCrashLooping pending or firing for " + looping,
                () -> alert("IocCrashLooping", looping).isPresent());
        Map<String, Object> annotations = Dashboards.map(alert("IocCrashLooping", looping).orElseThrow().get("annotations"));
        assertTrue(String.valueOf(annotations.get("summary")).contains(looping + " on " + target), annotations.toString());
        TestBed.await(SCRAPED, "IocNotReady pending or firing for " + looping,
                () -> alert("IocNotReady", looping).isPresent());

        for (String quiet : List.of(healthy, stopped)) {
            for (String rule : List.of("IocCrashLooping", "IocNotReady", "IocDown", "IocServiceRestarting")) {
                assertFalse(alert(rule, quiet).isPresent(), rule + " for " + quiet + ": " + alert(rule, quiet));
            }
        }
    }

    /** The values the test gives Grafana's variables: the agent's job and target, the healthy IOC. */
    private static Map<String, String> grafanaVariables() {
        return Map.of("job", JOB, "instance", target, "ioc", healthy, "datasource", "prometheus",
                "__rate_interval", "1m", "__interval", "15s", "__range", "5m");
    }

    private static Dashboard fleet() {
        return Dashboards.shipped().stream().filter(d -> "epics-ioc-fleet".equals(d.json().get("uid"))).findFirst()
                .orElseThrow(() -> new AssertionError("no dashboard with uid epics-ioc-fleet"));
    }

    /** The current value of a stat panel's first query. */
    private static double stat(Dashboard dashboard, String title) {
        Target t = dashboard.targets().stream().filter(x -> x.panel().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no panel '" + title + "' in " + dashboard.title()));
        List<Object> result = prometheus.query(Dashboards.substitute(t.expr(), grafanaVariables()));
        assertEquals(1, result.size(), t.describe() + " → " + result);
        return Double.parseDouble(String.valueOf(Dashboards.list(Dashboards.map(result.get(0)).get("value")).get(1)));
    }

    private static double managerCount(String attribute) {
        try {
            return ((Number) ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new ObjectName("epics.ioc:type=Manager"), attribute)).doubleValue();
        } catch (JMException e) {
            throw new AssertionError("reading Manager " + attribute + ": " + e, e);
        }
    }

    /** The manager's ReadinessCounts as the agent's MBean gives them, every value of Readiness. */
    private static Map<String, Double> managerReadinessCounts() {
        try {
            Map<String, Double> out = new java.util.TreeMap<>();
            TabularData rows = (TabularData) ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new ObjectName("epics.ioc:type=Manager"), "ReadinessCounts");
            for (Object row : rows.values()) {
                CompositeData c = (CompositeData) row;
                out.put((String) c.get("key"), ((Number) c.get("value")).doubleValue());
            }
            assertEquals(Readiness.values().length, out.size(), "ReadinessCounts " + out);
            return out;
        } catch (JMException e) {
            throw new AssertionError("reading Manager ReadinessCounts: " + e, e);
        }
    }

    /** {@code sum by (state) (epics_ioc_readiness)} as Prometheus answers it now. */
    private static Map<String, Double> readinessSums() {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (Object r : prometheus.query("sum by (state) (epics_ioc_readiness{job=\"" + JOB + "\"})")) {
            Map<String, Object> row = Dashboards.map(r);
            out.put(String.valueOf(Dashboards.map(row.get("metric")).get("state")),
                    Double.parseDouble(String.valueOf(Dashboards.list(row.get("value")).get(1))));
        }
        return out;
    }

    /** Loaded alerting rules by name, from /api/v1/rules. */
    private static Map<String, Map<String, Object>> rules() {
        Map<String, Map<String, Object>> out = new java.util.TreeMap<>();
        for (Map<String, Object> group : Dashboards.maps(Dashboards.map(prometheus.api("/api/v1/rules", Map.of()).get("data")).get("groups"))) {
            for (Map<String, Object> rule : Dashboards.maps(group.get("rules"))) {
                out.put(String.valueOf(rule.get("name")), rule);
            }
        }
        return out;
    }

    /** The pending or firing alert {@code name} for IOC {@code ioc}, from /api/v1/alerts. */
    private static Optional<Map<String, Object>> alert(String name, String ioc) {
        return Dashboards.maps(Dashboards.map(prometheus.api("/api/v1/alerts", Map.of()).get("data")).get("alerts")).stream()
                .filter(a -> {
                    Map<String, Object> labels = Dashboards.map(a.get("labels"));
                    return name.equals(labels.get("alertname")) && ioc.equals(labels.get("ioc"))
                            && Set.of("pending", "firing").contains(a.get("state"));
                })
                .findFirst();
    }

    private static Set<String> iocsIn(List<Object> result) {
        return result.stream().map(r -> String.valueOf(Dashboards.map(Dashboards.map(r).get("metric")).get("ioc")))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void awaitData(String what, String promql) {
        TestBed.await(SCRAPED, what + " (" + promql + ")", () -> !prometheus.query(promql).isEmpty());
    }

    private static String installed(String base, Behaviour behaviour) {
        String name = bed.iocName(base);
        Path dir = bed.iocBoot(name, behaviour);
        assertEquals(0, cli("--local", "generate", dir.toString()), "generate " + name);
        assertEquals(0, cli("--local", "install", dir.toString()), "install " + name);
        return name;
    }

    /** A healthy real softIoc on ports of its own, generated and installed. */
    private static String installedSoftIoc(String base) throws IOException {
        String name = bed.iocName(base);
        Path dir = bed.epicsBoot(name, EpicsIoc.HEALTHY, false, name + ":");
        assertEquals(0, cli("--local", "generate", dir.toString()), "generate " + name);
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, EpicsBase.Ports.free().confLines(), StandardOpenOption.APPEND);
        assertEquals(0, cli("--local", "install", conf.toString()), "install " + name);
        return name;
    }

    private static int cli(String... args) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        return io.iocagent.cli.Main.run(List.of(args), bed.env(), new ByteArrayInputStream(new byte[0]), quiet, quiet, false);
    }
}
