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
 * {@code inet_diag} dump and the join to every process's descriptors. Prints the median of 30.
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
            EndpointSurvey survey = new EndpointSurvey(new ProcessTable());
            long[] cpu = new long[30];
            Map<Integer, IocEndpoints> last = Map.of();
            for (int round = -5; round < cpu.length; round++) {
                long t0 = threads.getCurrentThreadCpuTime();
                last = survey.take(pids, diag.dump().sockets());
                long used = threads.getCurrentThreadCpuTime() - t0;
                if (round >= 0) {
                    cpu[round] = used;
                }
            }
            long served = last.values().stream().filter(IocEndpoints::servesCa).count();
            assertEquals(n, served, "every stand-in's listener is seen as a CA server (backlog 20)");
            Arrays.sort(cpu);
            int sockets = diag.dump().sockets().size();
            System.out.printf("endpoint scan of %d IOCs (%d TCP/UDP sockets on the host): median %.2f ms CPU,"
                    + " min %.2f, max %.2f; load average %.2f%n", n, sockets, cpu[cpu.length / 2] / 1e6, cpu[0] / 1e6,
                    cpu[cpu.length - 1] / 1e6, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        } finally {
            holders.forEach(Process::destroy);
        }
    }
}
