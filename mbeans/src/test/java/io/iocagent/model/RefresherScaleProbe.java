package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.conf.UnitTemplates;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.UnitName;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Opt-in measurement of the model at scale: {@code -Diocagent.scale=500} installs and starts that
 * many stand-in IOCs (about 6 MiB of memory each for procServ and the shell) and prints how long the
 * model takes to see them, what a poll costs and how fast a state change still shows. Not part
 * of the test run (its name matches no test pattern): run it on purpose, as docs/benchmarks.md
 * shows; it asserts only that the model keeps up.
 */
class RefresherScaleProbe {

    @Test
    void theModelKeepsUpWithManyIocs() throws Exception {
        String wanted = System.getProperty("iocagent.scale");
        Assumptions.assumeTrue(wanted != null, "set -Diocagent.scale=N to run");
        int n = Integer.parseInt(wanted);
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(Poll.class.getName());
        jul.setLevel(java.util.logging.Level.FINE);
        java.util.logging.ConsoleHandler phases = new java.util.logging.ConsoleHandler();
        phases.setLevel(java.util.logging.Level.FINE);
        jul.addHandler(phases); // the poll's phase timings
        try (TestBed bed = TestBed.open();
             SystemdBus bus = SystemdBus.connect(bed.busAddress(), Duration.ofSeconds(30))) {
            Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), Account.current(bed.env()));
            bus.linkUnitFile(Files.writeString(bed.root().resolve(layout.templateFileName()),
                    UnitTemplates.local(layout.confDir(), layout.logDir(), Path.of("/usr/bin/procServ"))), true);
            Path boot = bed.iocBoot("standin", Behaviour.HEALTHY);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                names.add(bed.iocName("s" + i));
            }
            try (Refresher refresher = new Refresher(layout, () -> SystemdBus.connect(bed.busAddress(),
                    Duration.ofSeconds(30)), Refresher.DEFAULT_POLL_INTERVAL, Clock.systemUTC())) {
                refresher.start();
                long t0 = System.nanoTime();
                for (String name : names) {
                    String text = "IOC_CMD=\"./st.cmd\"\nIOC_CHDIR=\"" + boot + "\"\nIOC_PORT=\""
                            + IocPort.standard(layout.identity(), layout.runDir(), new IocName(name)) + "\"\n";
                    Path staged = Files.writeString(bed.root().resolve(name + ".staged"), text);
                    Files.move(staged, layout.confDir().resolve(name + ".conf"), StandardCopyOption.ATOMIC_MOVE);
                }
                await(refresher, "all installed", s -> s.iocs().size() == n);
                print("install " + n + " confs -> all in snapshot", t0);

                t0 = System.nanoTime();
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
                print("start " + n + " units (8 at a time)", t0);
                await(refresher, "all READY", s -> s.count(Readiness.READY) == n);
                print("start of the first -> all READY in snapshot", t0);

                Thread.sleep(6_000); // consoles and cgroups of everyone polled once
                System.gc();
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpu0 = os.getProcessCpuTime();
                long managerCpu0 = managerCpuTicks();
                long wall0 = System.nanoTime();
                java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                java.util.Map<Long, Long> threadCpu0 = new java.util.HashMap<>();
                for (long id : threads.getAllThreadIds()) {
                    threadCpu0.put(id, threads.getThreadCpuTime(id));
                }
                Thread.sleep(30_000);
                java.util.Map<String, Long> perThread = new java.util.TreeMap<>();
                for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                    if (info != null) {
                        long used = threads.getThreadCpuTime(info.getThreadId()) - threadCpu0.getOrDefault(info.getThreadId(), 0L);
                        perThread.merge(info.getThreadName().replaceAll("[0-9]+", "#"), used / 1_000_000, Long::sum);
                    }
                }
                perThread.values().removeIf(ms -> ms < 20);
                System.out.println("[scale] CPU ms per thread over 30 s: " + perThread);
                double cpuShare = (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - wall0);
                double managerShare = (managerCpuTicks() - managerCpu0) * 1e9 / 100 / (System.nanoTime() - wall0);
                Snapshot s = refresher.current();
                System.out.printf("[scale] n=%d poll took %d ms; test JVM CPU %.1f%% of a core; user manager CPU %.1f%%;"
                                + " heap after GC %d MiB (test JVM); threads %d; refresh errors %d%n",
                        n, s.refreshDuration().toMillis(), cpuShare * 100, managerShare * 100, heap >> 20,
                        Thread.activeCount(), s.refreshErrors());
                assertTrue(s.iocs().values().stream().allMatch(i -> i.socketState().equals("LISTEN")));
                assertTrue(s.iocs().values().stream().allMatch(i -> i.memoryBytes() > 0));

                List<Long> latencies = new ArrayList<>();
                String probe = names.get(n / 2);
                for (int i = 0; i < 10; i++) {
                    bus.stop(UnitName.of(layout.templatePrefix(), probe), Duration.ofSeconds(30));
                    long done = System.nanoTime();
                    awaitClosely(refresher, x -> x.iocs().get(probe).activeState().equals("inactive"));
                    latencies.add(System.nanoTime() - done);
                    bus.start(UnitName.of(layout.templatePrefix(), probe), Duration.ofSeconds(30));
                    done = System.nanoTime();
                    awaitClosely(refresher, x -> x.iocs().get(probe).activeState().equals("active"));
                    latencies.add(System.nanoTime() - done);
                }
                latencies.sort(null);
                System.out.printf("[scale] state change -> snapshot with %d IOCs (polled at 1 ms): p50 %d ms, p95 %d ms%n",
                        n, latencies.get(latencies.size() / 2) / 1_000_000,
                        latencies.get(latencies.size() * 95 / 100) / 1_000_000);
            }
        }
    }

    private static void await(Refresher refresher, String what, Predicate<Snapshot> condition) {
        TestBed.await(Duration.ofMinutes(5), what, () -> condition.test(refresher.current()));
    }

    private static void awaitClosely(Refresher refresher, Predicate<Snapshot> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.test(refresher.current())) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(1);
        }
    }

    private static void print(String what, long fromNanos) {
        System.out.println("[scale] " + what + ": " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fromNanos) + " ms");
    }

    /** utime + stime of the user's systemd manager, in clock ticks. */
    private static long managerCpuTicks() throws Exception {
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            String cmd = p.info().commandLine().orElse("");
            if (cmd.contains("systemd --user")) {
                String[] f = Files.readString(Path.of("/proc/" + p.pid() + "/stat"))
                        .replaceFirst(".*\\) ", "").split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        }
        return 0;
    }
}
