package io.iocagent.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Refresher;
import io.iocagent.model.Responsiveness;
import io.iocagent.probe.CaEndpoint;
import io.iocagent.probe.HangProbe;
import io.iocagent.probe.ProbeSettings;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.EpicsBase;
import io.iocagent.testbed.EpicsIoc;
import io.iocagent.testbed.TestBed;
import io.iocagent.testbed.ModelBed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hung IOC: a real softIoc's child stopped with {@code kill -STOP} (alive, its CA server no
 * longer answering) under the live model and the hang probe at its default settings. The model
 * says HUNG within three probe intervals and once; {@code kill -CONT} makes it READY again; a
 * stand-in that serves no Channel Access, beside it, is never probed and never HUNG.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class HangFaultIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ProbeSettings PROBE = ProbeSettings.DEFAULTS;

    @Test
    void aStoppedSoftIocIsHungWithinThreeProbeIntervalsOnceAndReadyAgainAfterContinue() throws Exception {
        try (ModelBed m = ModelBed.open()) {
            EpicsBase.require();
            TestBed bed = m.bed();
            String ioc = bed.iocName("hung");
            String standin = bed.iocName("noca");
            EpicsBase.Ports ports = EpicsBase.Ports.free();
            Path dir = bed.epicsBoot(ioc, EpicsIoc.HEALTHY, false, ioc + ":");
            m.install(ioc, dir, ports.confLines());
            m.install(standin, Behaviour.HEALTHY);

            List<String> hungTransitions = new CopyOnWriteArrayList<>();
            List<Long> hungAt = new CopyOnWriteArrayList<>();
            AtomicInteger rounds = new AtomicInteger();
            try (Refresher refresher = m.refresher(Duration.ofSeconds(2));
                 HangProbe probe = new HangProbe(refresher, CaEndpoint.SURVEYED, PROBE, found -> {
                     rounds.incrementAndGet();
                     refresher.probed(found);
                 })) {
                refresher.addListener((before, after) -> after.iocs().forEach((name, now) -> {
                    IocSnapshot was = before.iocs().get(name);
                    if (now.readiness() == Readiness.HUNG && (was == null || was.readiness() != Readiness.HUNG)) {
                        hungTransitions.add(name);
                        hungAt.add(System.nanoTime());
                    }
                }));
                refresher.start();
                probe.start();
                TestBed.await(WAIT, "both IOCs in the model",
                        () -> refresher.current().iocs().containsKey(ioc) && refresher.current().iocs().containsKey(standin));
                m.operator().start(m.unit(ioc), ModelBed.JOB_TIMEOUT);
                m.operator().start(m.unit(standin), ModelBed.JOB_TIMEOUT);
                IocSnapshot ready = await(refresher, ioc, "READY and answering the probe",
                        i -> i.readiness() == Readiness.READY && i.responsiveness().state() == Responsiveness.State.RESPONSIVE);
                await(refresher, standin, "READY", i -> i.readiness() == Readiness.READY);
                int child = ready.childPid();
                assertEquals(ports.ca(), ready.endpoints().caServerPort(), "IOC " + ioc + ": the surveyed CA port");
                assertEquals(List.of(), ready.endpoints().caClients(), "IOC " + ioc
                        + ": the probe's own circuit is no CA client");
                assertTrue(ready.responsiveness().probeSeconds() < PROBE.timeout().toMillis() / 1000.0,
                        "IOC " + ioc + ": round trip " + ready.responsiveness().probeSeconds() + " s");

                try {
                    signal("STOP", child);
                    long stopped = System.nanoTime();
                    IocSnapshot hung = await(refresher, ioc, "HUNG after kill -STOP of child " + child,
                            i -> i.readiness() == Readiness.HUNG);
                    double seconds = (hungAt.get(0) - stopped) / 1e9;
                    System.out.printf("IOC %s: HUNG %.2f s after kill -STOP (probe interval %d ms, timeout %d ms, K %d)%n",
                            ioc, seconds, PROBE.interval().toMillis(), PROBE.timeout().toMillis(), PROBE.failures());
                    Duration limit = PROBE.interval().multipliedBy(PROBE.failures()).plus(PROBE.timeout());
                    // The loaded CI machine may delay a round or the model thread: a few seconds of slack.
                    assertTrue(seconds <= limit.toMillis() / 1000.0 + 5, "IOC " + ioc + ": HUNG only " + seconds
                            + " s after kill -STOP; the probe's rule gives " + limit.toMillis() + " ms");
                    assertEquals(child, hung.childPid(), "the same child, alive");
                    assertEquals(Responsiveness.State.UNRESPONSIVE, hung.responsiveness().state());
                    assertEquals("active", hung.activeState(), "the unit is still active");

                    int seen = rounds.get();
                    TestBed.await(WAIT, "three more probe rounds while stopped", () -> rounds.get() >= seen + 3);
                    assertEquals(Readiness.HUNG, refresher.current().iocs().get(ioc).readiness(), "still hung");
                    assertEquals(List.of(ioc), hungTransitions, "IOC " + ioc + " turned HUNG once, nothing else did");
                } finally {
                    signal("CONT", child);
                }
                IocSnapshot back = await(refresher, ioc, "READY again after kill -CONT",
                        i -> i.readiness() == Readiness.READY && i.responsiveness().state() == Responsiveness.State.RESPONSIVE);
                assertEquals(child, back.childPid(), "the same child answers again");

                IocSnapshot s = refresher.current().iocs().get(standin);
                assertEquals(Readiness.READY, s.readiness(), "stand-in " + standin);
                assertEquals(Responsiveness.UNPROBED, s.responsiveness(), "stand-in " + standin + " serves no CA");
                assertEquals(-1, s.endpoints().caServerPort(), "stand-in " + standin + " has no CA server");
                assertEquals(List.of(ioc), hungTransitions, "the stand-in never turned HUNG");
                m.operator().stop(m.unit(ioc), ModelBed.JOB_TIMEOUT);
                m.operator().stop(m.unit(standin), ModelBed.JOB_TIMEOUT);
            }
        }
    }

    private static IocSnapshot await(Refresher refresher, String name, String what, Predicate<IocSnapshot> condition) {
        TestBed.await(WAIT, "IOC " + name + " " + what, () -> {
            IocSnapshot i = refresher.current().iocs().get(name);
            return i != null && condition.test(i);
        });
        return refresher.current().iocs().get(name);
    }

    private static void signal(String signal, int pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + signal + " " + pid);
    }
}
