package io.iocagent.faults;

import static io.iocagent.testbed.ModelRecorder.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Refresher;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.ModelBed;
import io.iocagent.testbed.ModelRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A plain stop, start or restart is not a crash: a listener on the live model over 100
 * restart/stop/start cycles of healthy IOCs (four IOCs side by side, 25 cycles each, every stop
 * and restart of a READY child) must never see {@code CRASH_LOOP}. The stop's own death banner
 * used to be read before systemd's state change and was published as a crash for 10 to 60 ms.
 */
class PlainStopFaultIT {

    private static final int IOCS = 4;
    private static final int CYCLES_PER_IOC = 25;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aListenerOverAHundredStopStartRestartCyclesSeesNoCrashLoop() throws Exception {
        try (ModelBed bed = ModelBed.open();
             Refresher refresher = bed.refresher(Refresher.DEFAULT_POLL_INTERVAL)) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < IOCS; i++) {
                String name = bed.bed().iocName("cycle" + i);
                bed.install(name, Behaviour.HEALTHY);
                names.add(name);
            }
            List<String> crashLoops = new ArrayList<>();
            refresher.addListener((old, next) -> {
                for (String name : names) {
                    IocSnapshot now = next.iocs().get(name);
                    if (now != null && now.readiness() == Readiness.CRASH_LOOP) {
                        IocSnapshot before = old.iocs().get(name);
                        synchronized (crashLoops) {
                            crashLoops.add("IOC " + name + ": Readiness " + (before == null ? "?" : before.readiness())
                                    + " -> CRASH_LOOP at " + next.takenAt() + " (ActiveState " + now.activeState() + ")");
                        }
                    }
                }
            });
            ModelRecorder rec = ModelRecorder.of(refresher);
            refresher.start();
            rec.await("all " + IOCS + " IOCs in the model", 0, WAIT,
                    s -> s.systemdConnected() && names.stream().allMatch(s.iocs()::containsKey));

            AtomicInteger cycles = new AtomicInteger();
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (String name : names) {
                runs.add(CompletableFuture.runAsync(() -> cycle(bed, rec, name, cycles)));
            }
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();

            System.out.println("[faults] " + cycles.get() + " restart/stop/start cycles, "
                    + rec.all().size() + " snapshots published, " + crashLoops.size() + " with CRASH_LOOP");
            assertEquals(IOCS * CYCLES_PER_IOC, cycles.get());
            assertTrue(crashLoops.isEmpty(), crashLoops.size() + " snapshots with a false CRASH_LOOP over " + cycles.get()
                    + " plain cycles, e.g. " + crashLoops.subList(0, Math.min(5, crashLoops.size())));
        }
    }

    /** Starts {@code name}, then restarts, stops and starts it, each time until the model shows the result. */
    private static void cycle(ModelBed bed, ModelRecorder rec, String name, AtomicInteger cycles) {
        try {
            int mark = rec.mark();
            bed.operator().start(bed.unit(name), ModelBed.JOB_TIMEOUT);
            int pid = readyPid(rec, name, mark, -1);
            for (int i = 0; i < CYCLES_PER_IOC; i++) {
                mark = rec.mark();
                bed.operator().restart(bed.unit(name), ModelBed.JOB_TIMEOUT);
                pid = readyPid(rec, name, mark, pid);

                mark = rec.mark();
                bed.operator().stop(bed.unit(name), ModelBed.JOB_TIMEOUT);
                rec.await(name + " STOPPED", mark, WAIT, ioc(name, s -> s.readiness() == Readiness.STOPPED));

                mark = rec.mark();
                bed.operator().start(bed.unit(name), ModelBed.JOB_TIMEOUT);
                pid = readyPid(rec, name, mark, pid);
                cycles.incrementAndGet();
            }
            bed.operator().stop(bed.unit(name), ModelBed.JOB_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the model shows {@code name} READY under a procServ other than {@code oldPid}; returns its PID. */
    private static int readyPid(ModelRecorder rec, String name, int mark, int oldPid) throws InterruptedException {
        int[] pid = {-1};
        rec.await(name + " READY under a new procServ", mark, WAIT, ioc(name, s -> {
            if (s.readiness() == Readiness.READY && s.mainPid() > 0 && s.mainPid() != oldPid) {
                pid[0] = s.mainPid();
                return true;
            }
            return false;
        }));
        return pid[0];
    }
}
