package io.iocagent.faults;

import static io.iocagent.testbed.ModelRecorder.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.testbed.ModelRecorder;
import io.iocagent.testbed.ReadyIoc;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGKILL of procServ, SIGKILL of the IOC child, and the procServ log truncated under a running IOC
 * (logrotate's copytruncate): the model follows each with the right readiness and counters and ends
 * READY, agreeing with systemd. Only this test's own processes are killed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProcessKillFaultIT {

    private static final Duration WAIT = Duration.ofSeconds(45);

    @Test
    void procServKilledIsRestartedBySystemdAndTheModelFollows() throws Exception {
        try (ReadyIoc fixture = ReadyIoc.start("pskill", Duration.ofSeconds(5))) {
            String name = fixture.name();
            IocSnapshot ready = fixture.ready();
            ModelRecorder rec = fixture.recorder();
            ProcessHandle.of(ready.mainPid()).orElseThrow().destroyForcibly();
            rec.await(name + " READY under a procServ systemd restarted", 0, WAIT, ioc(name,
                    i -> i.readiness() == Readiness.READY && i.mainPid() > 0 && i.mainPid() != ready.mainPid()
                            && i.serviceRestarts() == 1));
            assertEquals("active", fixture.bed().bed().activeState(fixture.bed().unit(name).toString()), "systemd agrees");
            assertEquals(0, fixture.now().childRestarts(), "systemd's restart, not procServ's");
        }
    }

    @Test
    void childKilledIsACrashThatClearsOnceTheNewChildSettles() throws Exception {
        try (ReadyIoc fixture = ReadyIoc.start("chkill", Duration.ofSeconds(1))) {
            String name = fixture.name();
            IocSnapshot ready = fixture.ready();
            ModelRecorder rec = fixture.recorder();
            ProcessHandle.of(ready.childPid()).orElseThrow().destroyForcibly();
            rec.await(name + " CRASH_LOOP after its child was killed", 0, WAIT,
                    ioc(name, i -> i.readiness() == Readiness.CRASH_LOOP));
            rec.await(name + " READY again under a new child", 0, WAIT, ioc(name, i -> i.readiness() == Readiness.READY
                    && i.childPid() > 0 && i.childPid() != ready.childPid() && i.childRestarts() == 1));
            assertEquals(ready.mainPid(), fixture.now().mainPid(), "procServ restarted its child itself");
        }
    }

    @Test
    void aTruncatedLogIsFollowedOn() throws Exception {
        try (ReadyIoc fixture = ReadyIoc.start("trunc", Duration.ofSeconds(1))) {
            String name = fixture.name();
            IocSnapshot ready = fixture.ready();
            ModelRecorder rec = fixture.recorder();
            try (FileChannel log = FileChannel.open(Path.of(ready.logPath()), StandardOpenOption.WRITE)) {
                log.truncate(0); // what logrotate's copytruncate does
            }
            ProcessHandle.of(ready.childPid()).orElseThrow().destroyForcibly();
            rec.await(name + " the death after the truncation seen, LastExit its SIGKILL", 0, WAIT, ioc(name,
                    i -> i.childRestarts() == 1 && i.lastExit() != null && i.lastExit().pid() == ready.childPid()
                            && i.lastExit().signal() == 9));
            rec.await(name + " READY again", 0, WAIT, ioc(name, i -> i.readiness() == Readiness.READY
                    && i.childPid() != ready.childPid()));
        }
    }
}
