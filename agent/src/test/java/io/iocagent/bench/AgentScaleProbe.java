package io.iocagent.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The agent-at-scale benchmark command (docs/benchmarks-agent.md):
 * {@code -Diocagent.scale=200,1000,2000} runs {@link AgentBench} once per fleet size, one after the
 * other, and prints one table (a column per size) with node_exporter's figures and the ratio. A
 * measurement, not a test: its name matches no test pattern, so only
 * {@code -Dit.test=AgentScaleProbe} runs it, and it skips itself unless {@code iocagent.scale} is set.
 * {@link AgentBenchSmokeIT} runs the same code at 100 IOCs in every build so it cannot rot.
 */
class AgentScaleProbe {

    @Test
    void measureTheAgentAtScale() throws Exception {
        String wanted = System.getProperty("iocagent.scale");
        Assumptions.assumeTrue(wanted != null && !wanted.isBlank(), "set -Diocagent.scale=N[,N…] to run");
        Map<Integer, Map<String, AgentBench.Row>> columns = new LinkedHashMap<>();
        for (String size : wanted.split(",")) {
            int n = Integer.parseInt(size.trim());
            AgentBench.Config config = new AgentBench.Config(n, Integer.getInteger("iocagent.reps", 200),
                    Integer.getInteger("iocagent.settle", 15), Integer.getInteger("iocagent.idle", 60),
                    Integer.getInteger("iocagent.notify.iocs", 5), Integer.getInteger("iocagent.notify.cycles", 4),
                    List.of(System.getProperty("iocagent.java.opts", "").split("\\|", -1)),
                    System.getProperty("iocagent.jars", "").isBlank() ? List.of()
                            : List.of(System.getProperty("iocagent.jars").split(",")));
            Map<String, AgentBench.Row> rows = AgentBench.run(config);
            columns.put(n, rows);
            System.out.println(table(Map.of(n, rows)));
        }
        System.out.println(table(columns));
    }

    /** A Markdown table: a row per figure, a column per fleet size. */
    static String table(Map<Integer, Map<String, AgentBench.Row>> columns) {
        Set<String> figures = new LinkedHashSet<>();
        columns.values().forEach(rows -> figures.addAll(rows.keySet()));
        StringBuilder out = new StringBuilder("\n[agent-scale] | |");
        List<Integer> sizes = new ArrayList<>(columns.keySet());
        sizes.forEach(n -> out.append(" N=").append(n).append(" |"));
        out.append("\n[agent-scale] |---|").append("---|".repeat(sizes.size())).append('\n');
        for (String figure : figures) {
            out.append("[agent-scale] | ").append(figure).append(" |");
            for (Integer n : sizes) {
                AgentBench.Row row = columns.get(n).get(figure);
                out.append(' ').append(row == null ? "" : row.value()).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }
}
