package io.iocagent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.TestBed;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent-at-scale benchmark ({@link AgentScaleProbe}) scaled down to 100 IOCs, in every build,
 * so the command documented in docs/benchmarks-agent.md keeps working: fleet, agent process through
 * the launcher, node_exporter beside it, Jolokia bulk read, notifications under scraping. It
 * asserts what the benchmark relies on — every IOC seen by each tool, no notification lost, the
 * table printed — and no time.
 */
class AgentBenchSmokeIT {

    @Test
    void theBenchmarkRunsEndToEndOnASmallFleet() throws Exception {
        TestBed.requireOrSkip(Files.isExecutable(AgentBench.NODE_EXPORTER),
                "prometheus-node-exporter (apt-get install prometheus-node-exporter)");
        int n = 100;
        Map<String, AgentBench.Row> rows = AgentBench.run(new AgentBench.Config(n, 10, 1, 3, 2, 1, List.of(""), List.of()));
        System.out.println(AgentScaleProbe.table(Map.of(n, rows)));
        assertEquals(Integer.toString(n), rows.get("node_exporter: active units it reports").value(),
                "node_exporter, pointed at the user manager, must see the whole fleet");
        assertEquals(n + " of " + n, rows.get("Jolokia bulk read: IOCs in the reply").value(),
                "the Jolokia bulk read must return every IOC");
        assertEquals("0 / 0", rows.get("notifications lost (none within 5 s) / sequence numbers out of order").value());
        assertTrue(rows.get("/metrics (agent)").median() > 0, "a /metrics timing: " + rows);
        assertTrue(rows.containsKey("node_exporter / agent (medians)"), "the ratio row: " + rows.keySet());
    }
}
