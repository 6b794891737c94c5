package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.UnitName;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.ModelBed;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Refresher} against the real user manager, real procServ and stand-in IOCs. The poll
 * interval is long (60 s) wherever a test measures how fast a change shows, so only events can
 * explain a prompt update. The template is the shipped local one with {@code --holdoff=1}, so
 * procServ restarts a dying child after one second instead of fifteen.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RefresherIT {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration NO_POLL = Duration.ofSeconds(60);

    private ModelBed model;
    private TestBed bed;
    private SystemdBus bus;
    private Layout layout;

    @BeforeAll
    void setUp() {
        model = ModelBed.open();
        bed = model.bed();
        bus = model.operator();
        layout = model.layout();
    }

    @AfterAll
    void tearDown() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void anInstalledIocAppearsAtOnceAndFollowsItsUnitThroughStartAndStop() throws Exception {
        String name = bed.iocName("healthy");
        try (Refresher refresher = new Refresher(layout, connector(bed.busAddress()), NO_POLL, Clock.systemUTC());
             Recorder rec = Recorder.of(refresher)) {
            refresher.start();
            rec.await("systemd connected", s -> s.systemdConnected());

            long installed = System.nanoTime();
            install(name, Behaviour.HEALTHY);
            long appeared = rec.await(name + " installed", s -> s.iocs().containsKey(name));
            report("install -> IOC in snapshot", installed, appeared);
            assertTrue(millis(installed, appeared) < 1000, "appears within 1 s of the conf");
            IocSnapshot stopped = refresher.current().iocs().get(name);
            assertTrue(stopped.installed());
            assertEquals("inactive", stopped.activeState());
            assertEquals(Readiness.STOPPED, stopped.readiness());
            assertEquals("./st.cmd", stopped.command());
            assertEquals(layout.socketPath(new IocName(name)).toString(), stopped.socketPath());

            LogWatcher marker = LogWatcher.start(layout.logFile(new IocName(name)), "All initialization complete");
            long startCalled = System.nanoTime();
            bus.start(unit(name), JOB_TIMEOUT);
            long jobDone = System.nanoTime();
            long active = rec.await(name + " active", ioc(name, i -> i.activeState().equals("active")));
            long ready = rec.await(name + " READY", ioc(name, i -> i.readiness() == Readiness.READY));
            report("start call -> active in snapshot", startCalled, active);
            report("start job done -> active in snapshot", jobDone, active);
            report("start call -> READY in snapshot", startCalled, ready);
            report("marker in log -> READY in snapshot", marker.seenAt(), ready);
            assertTrue(millis(marker.seenAt(), ready) < 1000, "readiness follows the log without a poll");
            assertTrue(millis(jobDone, active) < 2000, "state change shows without waiting for a poll");
            // The console and the cgroup of a child that just started are read right after the
            // snapshot that announced it: wait for that follow-up, without a poll (60 s away).
            long detailed = rec.await(name + " console and usage read", ioc(name, i -> i.socketState().equals("LISTEN")
                    && i.memoryBytes() > 0 && !Double.isNaN(i.cpuSeconds())));
            assertTrue(millis(ready, detailed) < 2000, "console and usage follow the child's start without a poll");
            IocSnapshot running = refresher.current().iocs().get(name);
            assertTrue(running.mainPid() > 0, "procServ's PID");
            assertTrue(running.childPid() > 0 && running.childPid() != running.mainPid(), "the IOC's PID");
            assertEquals(0, running.childRestarts());
            assertTrue(running.startedAt() != null);
            assertEquals("LISTEN", running.socketState(), "looked at the console when the child started");
            assertTrue(running.memoryBytes() > 0, "memory from the cgroup: " + running.memoryBytes());
            assertFalse(Double.isNaN(running.cpuSeconds()), "CPU from the cgroup");

            long stopCalled = System.nanoTime();
            bus.stop(unit(name), JOB_TIMEOUT);
            long stopDone = System.nanoTime();
            long inactive = rec.await(name + " STOPPED", ioc(name, i -> i.readiness() == Readiness.STOPPED));
            report("stop call -> STOPPED in snapshot", stopCalled, inactive);
            report("stop job done -> STOPPED in snapshot", stopDone, inactive);
            assertTrue(millis(stopDone, inactive) < 2000);
            assertEquals(0, refresher.current().iocs().get(name).childRestarts(), "a stop is not a restart");

            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                bus.start(unit(name), JOB_TIMEOUT);
                long started = System.nanoTime();
                latencies.add(Math.max(0, rec.await("active again", ioc(name, s -> s.activeState().equals("active")))
                        - started));
                bus.stop(unit(name), JOB_TIMEOUT);
                long stoppedAt = System.nanoTime();
                latencies.add(Math.max(0, rec.await("inactive again", ioc(name, s -> s.activeState().equals("inactive")))
                        - stoppedAt));
            }
            latencies.sort(null);
            System.out.println("[latency] job done -> state in snapshot over " + latencies.size() + " changes: p50 "
                    + TimeUnit.NANOSECONDS.toMillis(latencies.get(latencies.size() / 2)) + " ms, p95 "
                    + TimeUnit.NANOSECONDS.toMillis(latencies.get(latencies.size() * 95 / 100)) + " ms, max "
                    + TimeUnit.NANOSECONDS.toMillis(latencies.get(latencies.size() - 1)) + " ms");
            assertTrue(latencies.get(latencies.size() * 95 / 100) < TimeUnit.SECONDS.toNanos(2));
            assertEquals(0, refresher.current().iocs().get(name).childRestarts(), "starts by hand are not restarts");

            long removed = System.nanoTime();
            Files.delete(layout.confDir().resolve(name + ".conf"));
            long gone = rec.await(name + " removed", s -> !s.iocs().containsKey(name));
            report("conf removed -> IOC gone from snapshot", removed, gone);
            assertTrue(millis(removed, gone) < 1000, "disappears within 1 s of the conf");
            assertEquals(0, rec.listenerFailures());
        }
    }

    @Test
    void aCrashLoopingIocIsReportedWithRisingChildRestartsAndAFatalOneAsFailed() throws Exception {
        String looping = bed.iocName("loop");
        String fatal = bed.iocName("broken"); // not "fatal": procServ's own lines name the IOC, and FATAL is a token
        try (Refresher refresher = new Refresher(layout, connector(bed.busAddress()), NO_POLL, Clock.systemUTC());
             Recorder rec = Recorder.of(refresher)) {
            refresher.start();
            install(looping, Behaviour.CRASHLOOP);
            install(fatal, Behaviour.FATAL);
            rec.await("both installed", s -> s.iocs().containsKey(looping) && s.iocs().containsKey(fatal));

            bus.start(unit(looping), JOB_TIMEOUT);
            bus.start(unit(fatal), JOB_TIMEOUT);
            long loopSeen = rec.await(looping + " CRASH_LOOP", ioc(looping, i -> i.readiness() == Readiness.CRASH_LOOP));
            rec.await(looping + " childRestarts >= 2", ioc(looping, i -> i.childRestarts() >= 2));
            rec.await(fatal + " FAILED", ioc(fatal, i -> i.readiness() == Readiness.FAILED));
            IocSnapshot failed = refresher.current().iocs().get(fatal);
            assertTrue(failed.lastError().contains("FATAL: cannot open database file"), failed.lastError());
            assertEquals("active", failed.activeState(), "procServ keeps running; its child fails");
            assertTrue(millis(rec.started(), loopSeen) < 30_000);

            long before = refresher.current().iocs().get(looping).childRestarts();
            rec.await(looping + " restarts rising", ioc(looping, i -> i.childRestarts() > before));
            assertEquals(Readiness.CRASH_LOOP, refresher.current().iocs().get(looping).readiness());

            bus.stop(unit(looping), JOB_TIMEOUT);
            bus.stop(unit(fatal), JOB_TIMEOUT);
            rec.await("both STOPPED", s -> s.iocs().get(looping).readiness() == Readiness.STOPPED
                    && s.iocs().get(fatal).readiness() == Readiness.STOPPED);
        }
    }

    @Test
    void procServDyingOutsideAnyJobShowsAtOnceThroughPropertiesChanged() throws Exception {
        String name = bed.iocName("killed");
        try (Refresher refresher = new Refresher(layout, connector(bed.busAddress()), NO_POLL, Clock.systemUTC());
             Recorder rec = Recorder.of(refresher)) {
            refresher.start();
            install(name, Behaviour.HEALTHY);
            rec.await(name + " installed", s -> s.iocs().containsKey(name));
            bus.start(unit(name), JOB_TIMEOUT);
            rec.await(name + " READY", ioc(name, i -> i.readiness() == Readiness.READY));
            int procServ = refresher.current().iocs().get(name).mainPid();

            long killed = System.nanoTime();
            ProcessHandle.of(procServ).orElseThrow().destroyForcibly();
            // RestartSec=2: no job exists until then, so only PropertiesChanged can tell us this soon.
            long seen = rec.await(name + " not active", ioc(name, i -> !i.activeState().equals("active")));
            report("procServ killed -> unit state in snapshot", killed, seen);
            assertTrue(millis(killed, seen) < 1000);

            rec.await(name + " restarted by systemd", ioc(name, i -> i.readiness() == Readiness.READY
                    && i.mainPid() != procServ && i.serviceRestarts() == 1));
            assertEquals(0, refresher.current().iocs().get(name).childRestarts(), "systemd's restart, not procServ's");
            bus.stop(unit(name), JOB_TIMEOUT);
            rec.await(name + " STOPPED", ioc(name, i -> i.readiness() == Readiness.STOPPED));
        } finally {
            Files.deleteIfExists(layout.confDir().resolve(name + ".conf"));
        }
    }

    @Test
    void startsWithoutSystemdAndRecoversWhenItAnswers() throws Exception {
        String name = bed.iocName("offline");
        install(name, Behaviour.HEALTHY);
        AtomicBoolean reachable = new AtomicBoolean(false);
        String nowhere = "unix:path=" + bed.root().resolve("no-bus-here");
        Supplier<SystemdBus> connector = () -> SystemdBus.connect(reachable.get() ? bed.busAddress() : nowhere, CALL_TIMEOUT);
        try (Refresher refresher = new Refresher(layout, connector, Duration.ofMillis(300), Clock.systemUTC());
             Recorder rec = Recorder.of(refresher)) {
            refresher.start();
            rec.await("a failed refresh", s -> s.refreshErrors() > 0 && s.iocs().containsKey(name));
            Snapshot offline = refresher.current();
            assertFalse(offline.systemdConnected());
            assertEquals(Readiness.UNKNOWN, offline.iocs().get(name).readiness());
            assertEquals("unknown", offline.iocs().get(name).activeState());

            reachable.set(true);
            rec.await("systemd connected", s -> s.systemdConnected()
                    && s.iocs().get(name).readiness() == Readiness.STOPPED);
        } finally {
            Files.deleteIfExists(layout.confDir().resolve(name + ".conf"));
        }
    }

    @Test
    void unitSignalsKeepFlowingAfterTheBusConnectionIsLost() throws Exception {
        TestBed.requireOrSkip(Files.isExecutable(Path.of("/usr/bin/socat")), "no 'socat' on PATH for the bus proxy");
        String name = bed.iocName("proxied");
        Path socket = bed.root().resolve("proxy-bus");
        Process proxy = startProxy(socket);
        try (Refresher refresher = new Refresher(layout, connector("unix:path=" + socket), NO_POLL, Clock.systemUTC());
             Recorder rec = Recorder.of(refresher)) {
            refresher.start();
            rec.await("systemd connected", Snapshot::systemdConnected);

            killConnections(proxy); // both the call and the signal connection drop
            install(name, Behaviour.HEALTHY); // its states() call reconnects, and re-opens the signal connection
            rec.await(name + " installed", ioc(name, i -> i.readiness() == Readiness.STOPPED));

            bus.start(unit(name), JOB_TIMEOUT);
            long jobDone = System.nanoTime();
            long active = rec.await(name + " active", ioc(name, i -> i.activeState().equals("active")));
            report("after reconnect: start job done -> active in snapshot", jobDone, active);
            assertTrue(millis(jobDone, active) < 2000, "only a signal explains this with a 60 s poll");
            bus.stop(unit(name), JOB_TIMEOUT);
            rec.await(name + " STOPPED", ioc(name, i -> i.readiness() == Readiness.STOPPED));
        } finally {
            proxy.descendants().forEach(ProcessHandle::destroy);
            proxy.destroy();
            proxy.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(layout.confDir().resolve(name + ".conf"));
        }
    }

    // ---- fixtures ----

    private Supplier<SystemdBus> connector(String address) {
        return () -> SystemdBus.connect(address, CALL_TIMEOUT);
    }

    private UnitName unit(String name) {
        return model.unit(name);
    }

    private void install(String name, Behaviour behaviour) throws IOException {
        model.install(name, behaviour);
    }

    private static Predicate<Snapshot> ioc(String name, Predicate<IocSnapshot> condition) {
        return s -> s.iocs().containsKey(name) && condition.test(s.iocs().get(name));
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    private static void report(String what, long fromNanos, long toNanos) {
        System.out.println("[latency] " + what + ": " + millis(fromNanos, toNanos) + " ms");
    }

    private Process startProxy(Path socket) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("socat", "UNIX-LISTEN:" + socket + ",fork,unlink-early",
                "UNIX-CONNECT:" + bed.busSocket())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        TestBed.await(Duration.ofSeconds(5), "socat listening on " + socket, () -> Files.exists(socket));
        return p;
    }

    /** Kills the per-connection children socat forked, keeping the listener. */
    private static void killConnections(Process proxy) {
        List<ProcessHandle> children = proxy.descendants().toList();
        assertFalse(children.isEmpty(), "socat forked children for the connections");
        children.forEach(ProcessHandle::destroy);
        children.forEach(c -> c.onExit().orTimeout(5, TimeUnit.SECONDS).join());
    }

    /** Notices when a line containing a text first appears in a file, polling every millisecond. */
    private static final class LogWatcher {
        private volatile long seenAt;

        static LogWatcher start(Path file, String text) {
            LogWatcher w = new LogWatcher();
            Thread t = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                    try {
                        if (Files.exists(file) && Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1)
                                .contains(text)) {
                            w.seenAt = System.nanoTime();
                            return;
                        }
                        Thread.sleep(1);
                    } catch (IOException e) {
                        // being written: look again
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "log-watcher");
            t.setDaemon(true);
            t.start();
            return w;
        }

        long seenAt() {
            TestBed.await(Duration.ofSeconds(30), "the text in the log", () -> seenAt != 0);
            return seenAt;
        }
    }

    /**
     * Every snapshot a refresher published, with when it arrived, so a test can tell how soon after
     * an action a change showed (to the listener call, not to a polling loop's tick).
     */
    private static final class Recorder implements AutoCloseable {
        private record Seen(long nanos, Snapshot snapshot) {
        }

        private final List<Seen> seen = new ArrayList<>();
        private final long started = System.nanoTime();
        private int failures;

        static Recorder of(Refresher refresher) {
            Recorder r = new Recorder();
            refresher.addListener((old, next) -> r.add(next));
            return r;
        }

        private synchronized void add(Snapshot next) {
            if (next == null || !next.takenAt().isAfter(java.time.Instant.EPOCH)) {
                failures++;
            }
            seen.add(new Seen(System.nanoTime(), next));
            notifyAll();
        }

        long started() {
            return started;
        }

        synchronized int listenerFailures() {
            return failures;
        }

        /** Waits (up to 30 s) for a published snapshot that satisfies {@code condition}; returns when it was published. */
        synchronized long await(String what, Predicate<Snapshot> condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int from = 0;
            while (true) {
                for (; from < seen.size(); from++) {
                    if (condition.test(seen.get(from).snapshot())) {
                        long at = seen.get(from).nanos();
                        seen.subList(0, from).clear();
                        return at;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    Snapshot last = seen.isEmpty() ? null : seen.get(seen.size() - 1).snapshot();
                    fail("Timed out waiting for " + what + "; last snapshot: " + last);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        @Override
        public void close() {
        }
    }
}
