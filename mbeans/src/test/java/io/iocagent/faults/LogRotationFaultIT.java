package io.iocagent.faults;

import static io.iocagent.testbed.ModelRecorder.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.testbed.ModelRecorder;
import io.iocagent.testbed.ReadyIoc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The procServ log rotated by rename, as logrotate's {@code create} mode does it: {@code NAME.log}
 * renamed to {@code NAME.log.1}, a new empty {@code NAME.log} created, and procServ told to
 * reopen it with SIGHUP (postrotate) — with a child death in between, which procServ writes into
 * the renamed file. The model reads that death (readiness, {@code ChildRestarts}, {@code LastExit})
 * and then follows the new file. (Rotation by {@code copytruncate} is in {@link ProcessKillFaultIT}.)
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LogRotationFaultIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aLogRenamedAndReopenedIsFollowedWithTheDeathWrittenInBetween() throws Exception {
        try (ReadyIoc fixture = ReadyIoc.start("rename", Duration.ofSeconds(1))) {
            String name = fixture.name();
            IocSnapshot ready = fixture.ready();
            ModelRecorder rec = fixture.recorder();
            Path log = Path.of(ready.logPath());
            Files.move(log, log.resolveSibling(log.getFileName() + ".1"));
            Files.createFile(log);
            ProcessHandle.of(ready.childPid()).orElseThrow().destroyForcibly();
            rec.await(name + " the death written into the renamed log read, LastExit its SIGKILL", 0, WAIT, ioc(name,
                    i -> i.childRestarts() == 1 && i.lastExit() != null && i.lastExit().pid() == ready.childPid()
                            && i.lastExit().signal() == 9));
            rec.await(name + " READY under the child started before the reopen", 0, WAIT, ioc(name,
                    i -> i.readiness() == Readiness.READY && i.childPid() > 0 && i.childPid() != ready.childPid()));
            int second = fixture.now().childPid();

            hangUp(ready.mainPid()); // postrotate: procServ reopens NAME.log
            ProcessHandle.of(second).orElseThrow().destroyForcibly();
            rec.await(name + " the next death read from the new log", 0, WAIT, ioc(name,
                    i -> i.childRestarts() == 2 && i.lastExit() != null && i.lastExit().pid() == second));
            rec.await(name + " READY again", 0, WAIT, ioc(name, i -> i.readiness() == Readiness.READY
                    && i.childPid() > 0 && i.childPid() != second));
            assertEquals(ready.mainPid(), fixture.now().mainPid(), "procServ ran throughout");
        }
    }

    private static void hangUp(int pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Integer.toString(pid)).redirectErrorStream(true).start();
        assertEquals(0, kill.waitFor(), "kill -HUP " + pid + ": " + new String(kill.getInputStream().readAllBytes()));
    }
}
