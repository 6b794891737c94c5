package io.iocagent.faults;

import static io.iocagent.testbed.ModelRecorder.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Refresher;
import io.iocagent.model.Snapshot;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import io.iocagent.testbed.ModelBed;
import io.iocagent.testbed.ModelRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * While systemd cannot be reached the model says "unknown" where it does not know: the unit's
 * ActiveState, the active count, readiness — not the last values read. The model reaches the shared
 * user manager through a socat proxy that the test cuts (so the manager itself is never touched).
 */
class SystemdUnreachableFaultIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void whileSystemdIsUnreachableStateAndActiveCountAreUnknown() throws Exception {
        TestBed.requireOrSkip(Files.isExecutable(Path.of("/usr/bin/socat")), "no /usr/bin/socat for the bus proxy");
        try (ModelBed bed = ModelBed.open()) {
            Path socket = bed.bed().root().resolve("proxy-bus");
            Process proxy = startProxy(bed, socket);
            String name = bed.bed().iocName("unreach");
            try (Refresher refresher = bed.refresher(Duration.ofSeconds(1), "unix:path=" + socket)) {
                ModelRecorder rec = ModelRecorder.of(refresher);
                bed.install(name, Behaviour.HEALTHY);
                refresher.start();
                bed.operator().start(bed.unit(name), ModelBed.JOB_TIMEOUT);
                rec.await(name + " READY", 0, WAIT, ioc(name, i -> i.readiness() == Readiness.READY));

                int mark = rec.mark();
                stop(proxy);
                rec.await("systemd disconnected", mark, WAIT, s -> !s.systemdConnected());
                Snapshot offline = refresher.current();
                IocSnapshot ioc = offline.iocs().get(name);
                assertEquals("unknown", ioc.activeState(), "IOC " + name + ": ActiveState while systemd is unreachable");
                assertEquals(Readiness.UNKNOWN, ioc.readiness(), "IOC " + name + ": Readiness while systemd is unreachable");
                assertEquals(-1, offline.activeCount(), "ActiveCount while systemd is unreachable");

                mark = rec.mark();
                proxy = startProxy(bed, socket);
                rec.await(name + " active and READY again", mark, WAIT, s -> s.systemdConnected()
                        && ioc(name, i -> i.activeState().equals("active") && i.readiness() == Readiness.READY).test(s));
                assertFalse(refresher.current().activeCount() < 1, "ActiveCount once systemd answers");
            } finally {
                stop(proxy);
                bed.operator().stop(bed.unit(name), ModelBed.JOB_TIMEOUT);
            }
        }
    }

    private static Process startProxy(ModelBed bed, Path socket) throws Exception {
        Files.deleteIfExists(socket);
        Process p = new ProcessBuilder("socat", "UNIX-LISTEN:" + socket + ",fork,unlink-early",
                "UNIX-CONNECT:" + bed.bed().busSocket())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        TestBed.await(Duration.ofSeconds(5), "socat listening on " + socket, () -> Files.exists(socket));
        return p;
    }

    /** Stops socat and the children it forked per connection (killing the listener alone leaves them). */
    private static void stop(Process proxy) throws InterruptedException {
        List<ProcessHandle> children = proxy.descendants().toList();
        proxy.destroy();
        children.forEach(ProcessHandle::destroy);
        proxy.waitFor(5, TimeUnit.SECONDS);
        children.forEach(c -> c.onExit().orTimeout(5, TimeUnit.SECONDS).join());
    }
}
