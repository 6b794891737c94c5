package io.iocagent.faults;

import static io.iocagent.testbed.ModelRecorder.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Refresher;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.ModelBed;
import io.iocagent.testbed.ModelRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The console socket file of a running IOC deleted by hand: procServ still listens, but no client
 * can connect, so the model must say ABSENT (as {@code ioc-runner status} does), not LISTEN; and
 * LISTEN again once a restart binds a new file.
 */
class SocketDeletedFaultIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aDeletedConsoleSocketFileReadsAbsentWhileProcServRuns() throws Exception {
        try (ModelBed bed = ModelBed.open();
             Refresher refresher = bed.refresher(Duration.ofSeconds(1))) {
            String name = bed.bed().iocName("nosock");
            bed.install(name, Behaviour.HEALTHY);
            ModelRecorder rec = ModelRecorder.of(refresher);
            refresher.start();
            try {
                bed.operator().start(bed.unit(name), ModelBed.JOB_TIMEOUT);
                rec.await(name + " READY with its console listening", 0, WAIT, ioc(name,
                        i -> i.readiness() == Readiness.READY && i.socketState().equals("LISTEN")));
                IocSnapshot running = refresher.current().iocs().get(name);

                int mark = rec.mark();
                Files.delete(Path.of(running.socketPath()));
                rec.await(name + " console ABSENT after its socket file was deleted", mark, WAIT,
                        ioc(name, i -> i.socketState().equals("ABSENT")));
                IocSnapshot after = refresher.current().iocs().get(name);
                assertEquals(running.mainPid(), after.mainPid(), "procServ still runs");
                assertEquals("active", after.activeState());

                mark = rec.mark();
                bed.operator().restart(bed.unit(name), ModelBed.JOB_TIMEOUT);
                rec.await(name + " console listening again after a restart", mark, WAIT,
                        ioc(name, i -> i.socketState().equals("LISTEN") && i.mainPid() != running.mainPid()));
            } finally {
                bed.operator().stop(bed.unit(name), ModelBed.JOB_TIMEOUT);
            }
        }
    }
}
