package io.iocagent.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.ops.AuditLog;
import io.iocagent.ops.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Operations} running the real operation classes on a temporary local layout, without systemd. */
class OperationsTest {

    @TempDir
    Path root;

    private final AtomicInteger refreshes = new AtomicInteger();

    private Operations operations(Sessions sessions) {
        return new Operations(sessions, refreshes::incrementAndGet);
    }

    private Path iocBoot(String name, String... scripts) throws IOException {
        Path dir = Files.createDirectories(root.resolve("iocs").resolve(name));
        for (String s : scripts) {
            Path script = dir.resolve(s);
            Files.writeString(script, "#!../../bin/linux-x86_64/demo\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return dir;
    }

    @Test
    void generateRunsTheRealGeneratorAndReturnsWhatItPrinted() throws Exception {
        OfflineSessions sessions = new OfflineSessions(root);
        Path dir = iocBoot("demo", "st.cmd");

        String transcript = operations(sessions).generate(dir.toString(), false);

        assertTrue(Files.isRegularFile(dir.resolve("demo.conf")));
        assertTrue(transcript.contains("Configuration successfully generated and validated at: " + dir.resolve("demo.conf")),
                transcript);
        assertTrue(transcript.contains("IOC_CMD=\"./st.cmd\""), transcript);
        assertEquals(0, sessions.busAsked(), "generate needs no systemd");
        assertEquals(1, refreshes.get(), "a changing operation refreshes the snapshot");
    }

    @Test
    void aPromptFailsTheCallWithTheReasonAndTheForceHintAndWritesNothing() throws Exception {
        Path dir = iocBoot("demo", "st.cmd", "st2.cmd");
        Operations ops = operations(new OfflineSessions(root));

        MBeanException e = assertThrows(MBeanException.class, () -> ops.generate(dir.toString(), false));

        assertTrue(e.getMessage().startsWith("Generation aborted: no startup script chosen"), e.getMessage());
        assertTrue(e.getMessage().contains("Select the startup script [1-2]:"), e.getMessage());
        assertTrue(e.getMessage().contains("call installForce or generateForce"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("demo.conf")));
        assertEquals(Exception.class, e.getTargetException().getClass(), "remote clients need no project classes");
        assertEquals(e.getMessage(), e.getTargetException().getMessage());

        String forced = ops.generate(dir.toString(), true);
        assertTrue(forced.contains("Auto-selecting './st.cmd' due to --force"), forced);
    }

    @Test
    void anOperationOnAnUninstalledIocFailsWithTheCommandLinesMessageBeforeSystemd() {
        OfflineSessions sessions = new OfflineSessions(root);
        Operations ops = operations(sessions);

        for (String verb : List.of("start", "stop", "restart", "enable", "disable", "remove")) {
            MBeanException e = assertThrows(MBeanException.class, () -> {
                IocName ghost = new IocName("ghost");
                if (verb.equals("remove")) {
                    ops.remove(ghost);
                } else {
                    ops.act(UnitAction.valueOf(verb.toUpperCase(java.util.Locale.ROOT)), ghost);
                }
            }, verb);
            assertTrue(e.getMessage().startsWith("No configuration found for IOC 'ghost' (looked in "
                    + sessions.layout().confDir() + ")."), e.getMessage());
            assertTrue(e.getMessage().contains("-> Nothing to " + verb + ": the IOC is not installed in local mode."),
                    e.getMessage());
        }
        assertEquals(0, sessions.busAsked());
        assertEquals(6, refreshes.get(), "refreshed after failures too");
    }

    @Test
    void aLocalCallIsAuditedOnceAndACallTheSurfaceAuditsIsNot() throws Exception {
        Path dir = iocBoot("demo", "st.cmd");
        Operations ops = operations(new OfflineSessions(root));
        try (LogCapture audit = LogCapture.audit()) {
            ops.generate(dir.toString(), false);
            assertThrows(MBeanException.class, () -> ops.act(UnitAction.STOP, new IocName("ghost")));
            try (SurfaceAudit.Mark surface = SurfaceAudit.begin()) {
                assertThrows(MBeanException.class, () -> ops.act(UnitAction.START, new IocName("ghost")));
            }
            assertThrows(MBeanException.class, () -> ops.view(new IocName("ghost"))); // reading operations: no line

            List<String> all = audit.lines();
            assertEquals(4, all.size(), "a begin and an end line per local operation: " + all);
            assertTrue(all.get(0).endsWith(" member=generate detail=" + dir + " outcome=started message=\"\""), all.get(0));
            assertTrue(all.get(2).contains(" member=stop detail=\"\" outcome=started"), all.get(2));
            List<String> lines = all.stream().filter(l -> !l.contains("outcome=started")).toList();
            assertTrue(lines.get(0).startsWith("surface=jmx user=local role=operator remote=local action=exec ioc=\"\" mbean=\"\""
                    + " member=generate detail=" + dir + " outcome=ok message=\"Next step: ioc-runner --local install"), lines.get(0));
            assertTrue(lines.get(1).contains("ioc=ghost mbean=\"\" member=stop detail=\"\" outcome=failed"
                    + " message=\"No configuration found for IOC 'ghost'"), lines.get(1));
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingRuns() {
        OfflineSessions sessions = new OfflineSessions(root);
        Operations ops = operations(sessions);

        IllegalArgumentException relative = assertThrows(IllegalArgumentException.class, () -> ops.install("demo.conf", true));
        assertTrue(relative.getMessage().contains("must be an absolute path"), relative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ops.generate(" ", false));
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> Operations.iocName("../etc"));
        assertTrue(name.getMessage().startsWith("Invalid IOC name '../etc'."), name.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Operations.iocName(null));
        assertThrows(IllegalArgumentException.class, () -> ops.tailLog(new IocName("demo"), 0));
        assertThrows(IllegalArgumentException.class, () -> ops.tailLog(new IocName("demo"), Operations.MAX_TAIL_LINES + 1));

        assertEquals(0, sessions.opened());
        assertEquals(0, refreshes.get());
    }

    @Test
    void tailLogReturnsTheLastLinesOfTheProcServLog() throws Exception {
        OfflineSessions sessions = new OfflineSessions(root);
        Path log = sessions.layout().logFile(new IocName("demo"));
        Files.writeString(log, "one\r\ntwo\r\nthree\r\n");
        Operations ops = operations(sessions);

        assertEquals(List.of("two", "three"), ops.tailLog(new IocName("demo"), 2));
        MBeanException missing = assertThrows(MBeanException.class, () -> ops.tailLog(new IocName("other"), 5));
        assertTrue(missing.getMessage().startsWith("No log file yet at "), missing.getMessage());
    }

    @Test
    void anUnexpectedFailureBecomesAnMBeanExceptionNamingTheOperation() {
        Operations ops = operations((terminal, force) -> {
            throw new IllegalStateException("boom");
        });

        MBeanException e = assertThrows(MBeanException.class, () -> ops.view(new IocName("demo")));

        assertTrue(e.getMessage().startsWith("Operation 'view demo' failed unexpectedly: java.lang.IllegalStateException: boom"),
                e.getMessage());
        assertInstanceOf(Exception.class, e.getTargetException());
    }

    @Test
    void changingOperationsRunOneAtATimeOnTheCallersThreadWhileReadsDoNotWait() throws Exception {
        OfflineSessions offline = new OfflineSessions(root);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        Sessions slow = (t, force) -> {
            threads.add(Thread.currentThread().getName());
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
            return offline.open(t, force);
        };
        Operations ops = operations(slow);
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "jmx-caller-" + System.nanoTime()));
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return assertThrows(MBeanException.class, () -> ops.act(UnitAction.STOP, new IocName("ghost")));
                }));
            }
            go.countDown();
            for (Future<?> f : calls) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertEquals(1, most.get(), "changing operations overlapped");
            assertTrue(threads.stream().allMatch(n -> n.startsWith("jmx-caller-")), threads::toString);

            most.set(0);
            CountDownLatch again = new CountDownLatch(1);
            List<Future<?>> reads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                reads.add(pool.submit(() -> {
                    again.await();
                    return assertThrows(MBeanException.class, () -> ops.tailLog(new IocName("ghost"), 5));
                }));
            }
            again.countDown();
            for (Future<?> f : reads) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertTrue(most.get() > 1, "reads are not serialised");
        } finally {
            pool.shutdownNow();
        }
    }
}
