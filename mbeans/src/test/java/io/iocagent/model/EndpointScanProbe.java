package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.netlink.InetSocketDiag;
import io.iocagent.proc.ProcessTable;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Opt-in measurement of the endpoint scan's CPU cost per poll (not part of the test run: its name
 * matches no test pattern). Starts {@code -Diocagent.endpoints=200} stand-in "IOCs", each a
 * process holding what softIoc holds: a TCP listener with rsrv's backlog, two bound UDP sockets
 * and some 25 other descriptors; then times, on this thread's CPU clock, one poll's work: the
 * {@code inet_diag} dump and the join to every process's descriptors, both for a first survey
 * (a fresh instance: every descriptor read, as the command line does) and for a later survey of a
 * kept instance (the model's poll: nothing changed, nothing read again). Prints the medians of 30.
 */
class EndpointScanProbe {

    private static final String HOLDER = String.join("\n",
            "import socket, sys",
            "t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen(20)",
            "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))",
            "b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(('127.0.0.1', 0))",
            "keep = [open('/dev/null') for _ in range(25)]",
            "print(t.getsockname()[1], flush=True)",
            "sys.stdin.read()");

    @Test
    void cpuTimeOfOneEndpointScan() throws Exception {
        int n = Integer.getInteger("iocagent.endpoints", 200);
        List<Process> holders = new ArrayList<>();
        try {
            Map<Integer, List<Integer>> pids = new HashMap<>();
            for (int i = 0; i < n; i++) {
                Process p = new ProcessBuilder("python3", "-c", HOLDER).start();
                holders.add(p);
            }
            for (int i = 0; i < n; i++) {
                Process p = holders.get(i);
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                pids.put(i, List.of((int) p.pid()));
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            InetSocketDiag diag = new InetSocketDiag();
            ProcessTable table = new ProcessTable();
            EndpointSurvey kept = new EndpointSurvey(table);
            long[] cold = new long[30];
            long[] steady = new long[30];
            Map<Integer, IocEndpoints> last = Map.of();
            for (int round = -5; round < cold.length; round++) {
                long t0 = threads.getCurrentThreadCpuTime();
                last = new EndpointSurvey(table).take(pids, diag.dump().sockets());
                long t1 = threads.getCurrentThreadCpuTime();
                kept.take(pids, diag.dump().sockets());
                long t2 = threads.getCurrentThreadCpuTime();
                if (round >= 0) {
                    cold[round] = t1 - t0;
                    steady[round] = t2 - t1;
                }
            }
            long served = last.values().stream().filter(IocEndpoints::servesCa).count();
            assertEquals(n, served, "every stand-in's listener is seen as a CA server (backlog 20)");
            Arrays.sort(cold);
            Arrays.sort(steady);
            int sockets = diag.dump().sockets().size();
            System.out.printf("endpoint scan of %d IOCs (%d TCP/UDP sockets on the host), CPU per survey:"
                    + " first survey (every descriptor read) median %.2f ms (min %.2f, max %.2f);"
                    + " later surveys of the same instance median %.2f ms (min %.2f, max %.2f), %d descriptor walks"
                    + " in %d surveys; load average %.2f%n", n, sockets, cold[cold.length / 2] / 1e6, cold[0] / 1e6,
                    cold[cold.length - 1] / 1e6, steady[steady.length / 2] / 1e6, steady[0] / 1e6,
                    steady[steady.length - 1] / 1e6, kept.walks(), cold.length + 5,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        } finally {
            holders.forEach(Process::destroy);
        }
    }
}
