package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus files in {@code deploy/prometheus} pass Prometheus' own checks: the
 * alert rules load, their unit tests ({@code alerts_test.yml}) pass, and the example scrape and
 * federation configurations are valid.
 */
class PrometheusConfigIT {

    private static final Path DIR = Dashboards.checkoutPath("deploy/prometheus");

    @Test
    void alertRulesPassCheckRules() throws Exception {
        Promtool.Result r = Promtool.require().run(DIR, "check", "rules", "alerts.yml");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SUCCESS: 8 rules found"), r.output());
    }

    @Test
    void alertUnitTestsPass() throws Exception {
        Promtool.Result r = Promtool.require().run(DIR, "test", "rules", "alerts_test.yml");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    void exampleScrapeConfigIsValidAndLoadsTheRules() throws Exception {
        Promtool.Result r = Promtool.require().run(DIR, "check", "config", "prometheus.yml");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SUCCESS: 1 rule files found"), r.output());
    }

    @Test
    void exampleFederationConfigIsValid() throws Exception {
        Promtool.Result r = Promtool.require().run(DIR, "check", "config", "federation.yml");
        assertEquals(0, r.exitCode(), r.output());
    }
}
