package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.http.Dashboards.Dashboard;
import io.iocagent.http.Dashboards.Target;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboards are importable and provisionable as files (current schema, no
 * {@code __inputs}), pick their data source only through the {@code datasource} variable, and
 * query only series the agent exports. Whether the queries return data against a live agent is
 * {@link DashboardQueriesIT}'s job.
 */
class DashboardsTest {

    private static final String DATASOURCE_REF = "${datasource}";

    @Test
    void everyDashboardIsCurrentSchemaJsonWithoutInputs() {
        for (Dashboard d : Dashboards.shipped()) {
            Object schema = d.json().get("schemaVersion");
            assertTrue(schema instanceof Number n && n.intValue() >= 39, d.file() + ": schemaVersion " + schema);
            assertFalse(d.json().containsKey("__inputs"), d.file() + ": __inputs breaks file provisioning");
            assertNotNull(d.json().get("uid"), d.file() + ": uid");
            assertFalse(d.panels().isEmpty(), d.file() + ": no panels");
        }
    }

    @Test
    void panelIdsAndQueryRefIdsAreUnique() {
        for (Dashboard d : Dashboards.shipped()) {
            Set<Object> ids = new HashSet<>();
            for (Map<String, Object> panel : d.panels()) {
                assertTrue(ids.add(panel.get("id")), d.file() + ": panel id " + panel.get("id") + " used twice");
                Set<Object> refIds = new HashSet<>();
                for (Map<String, Object> t : Dashboards.maps(panel.get("targets"))) {
                    assertTrue(refIds.add(t.get("refId")), d.file() + ": panel '" + panel.get("title") + "' refId "
                            + t.get("refId") + " used twice");
                }
            }
        }
    }

    @Test
    void theDatasourceIsOnlyEverTheDatasourceVariable() {
        for (Dashboard d : Dashboards.shipped()) {
            Map<String, Object> variable = d.variables().stream()
                    .filter(v -> "datasource".equals(v.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(d.file() + ": no datasource variable"));
            assertEquals("datasource", variable.get("type"), d.file().toString());
            assertEquals("prometheus", variable.get("query"), d.file().toString());

            List<String> wrong = new ArrayList<>();
            int[] references = {0};
            walk(d.json(), "", (path, ref) -> {
                references[0]++;
                if (!(DATASOURCE_REF.equals(ref.get("uid")) && "prometheus".equals(ref.get("type")))) {
                    wrong.add(path + " = " + ref);
                }
            });
            assertTrue(wrong.isEmpty(), d.file() + ": data sources other than " + DATASOURCE_REF + ": " + wrong);
            assertTrue(references[0] > d.panels().size(), d.file() + ": panels and targets name no data source");
            for (Map<String, Object> panel : d.panels()) {
                assertEquals(DATASOURCE_REF, Dashboards.map(panel.get("datasource")).get("uid"),
                        d.file() + ": panel '" + panel.get("title") + "'");
            }
        }
    }

    @Test
    void everyQueryNamesOnlySeriesTheAgentExports() {
        Set<String> exported = exportedSeries();
        Set<String> used = new TreeSet<>();
        List<String> unknown = new ArrayList<>();
        for (Dashboard d : Dashboards.shipped()) {
            List<String> queries = new ArrayList<>();
            d.targets().stream().map(Target::expr).forEach(queries::add);
            d.variables().stream().filter(v -> "query".equals(v.get("type")))
                    .map(v -> Dashboards.LabelValues.parse(String.valueOf(v.get("definition"))).selector())
                    .filter(java.util.Objects::nonNull).forEach(queries::add);
            for (String q : queries) {
                for (String name : Dashboards.metricNames(q)) {
                    used.add(name);
                    if (!exported.contains(name)) {
                        unknown.add(name + " in " + d.file().getFileName() + ": " + q);
                    }
                }
            }
        }
        assertTrue(unknown.isEmpty(), "series the agent does not export (exported: " + exported + "):\n"
                + String.join("\n", unknown));
        assertTrue(used.size() >= 12, "the dashboards use only " + used);
    }

    @Test
    void metricNamesAreFoundOutsideLabelsFunctionsAndVariables() {
        assertEquals(Set.of("epics_ioc_cpu_seconds_total", "up"), Dashboards.metricNames(
                "sum by (instance, ioc) (rate(epics_ioc_cpu_seconds_total{job=~\"$job\", state=\"up\"}[$__rate_interval]))"
                        + " * on (job, instance) group_left up offset 5m"));
        assertEquals(Set.of("epics_ioc_up", "epics_ioc_ready"), Dashboards.metricNames(
                "sum(epics_ioc_up{ioc=\"a\"} * on (ioc) (1 - epics_ioc_ready)) >= bool 2e3"));
        assertEquals(Set.of(), Dashboards.metricNames("time() - vector(15)"));
    }

    @Test
    void grafanaVariablesAreSubstitutedAndUnknownOnesRefused() {
        Map<String, String> values = Map.of("job", "ioc-agent", "ioc", "x", "__rate_interval", "1m");
        assertEquals("rate(a{job=~\"ioc-agent\",ioc=\"x\"}[1m])",
                Dashboards.substitute("rate(a{job=~\"$job\",ioc=\"${ioc}\"}[$__rate_interval])", values));
        assertEquals("ioc-agent", Dashboards.substitute("${job:regex}", values));
        assertThrows(IllegalArgumentException.class, () -> Dashboards.substitute("a{x=\"$nope\"}", values));
    }

    /**
     * Sample names the agent's /metrics produces for a fully known IOC, from the same families and meters
     * the endpoint registers, plus Prometheus' own {@code up}.
     */
    static Set<String> exportedSeries() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        FakeSnapshotSource source = new FakeSnapshotSource(FakeSnapshotSource.running("alpha"));
        registry.getPrometheusRegistry().register(new IocFamilies(source));
        new AgentMeters(registry, source);
        Set<String> names = new TreeSet<>();
        registry.scrape().lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0]).forEach(names::add);
        assertTrue(names.contains("epics_ioc_up") && names.contains("epics_ioc_agent_build_info"), names.toString());
        names.add("up");
        return names;
    }

    private interface RefVisitor {
        void visit(String path, Map<String, Object> ref);
    }

    /** Calls {@code visitor} for every {@code "datasource"} object in the tree, except Grafana's built-in annotation. */
    private static void walk(Object node, String path, RefVisitor visitor) {
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                String at = path + "/" + key;
                if ("datasource".equals(key) && e.getValue() instanceof Map<?, ?> ref
                        && !(path.contains("/annotations") && "-- Grafana --".equals(ref.get("uid")))) {
                    visitor.visit(at, Dashboards.map(ref));
                } else if ("datasource".equals(key) && e.getValue() instanceof String s && !path.contains("/templating")) {
                    visitor.visit(at, Map.of("uid", s));
                } else {
                    walk(e.getValue(), at, visitor);
                }
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                walk(l.get(i), path + "[" + i + "]", visitor);
            }
        }
    }
}
