package io.iocagent.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.ops.AuditLog;
import io.iocagent.ops.LogCapture;
import io.iocagent.testbed.TestBed;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a JMX console (JConsole, VisualVM) does to the JVM's own MBeans over the remote connector,
 * as a viewer: its Overview, Memory, Threads and VM Summary tabs poll {@code java.lang} through
 * the platform MXBean proxies, {@code ThreadMXBean.getThreadInfo} included — which works — and
 * what it may not do (GC, resetting peaks, heap dumps) is refused with a clear error and audited
 * once per caller, member and interval with the count, however often it is tried.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JvmConsoleIT {

    private static final String VIEWER = "vic";
    private static final String VIEWER_PASSWORD = "look-but-do-not-touch";
    private static final String OPERATOR = "olga";
    private static final String OPERATOR_PASSWORD = "s3cret op";

    private RemoteJmx remote;
    private Path dir;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        Path credentials = dir.resolve("credentials");
        Files.write(credentials, List.of(CredentialsTest.entry(VIEWER, Role.VIEWER, VIEWER_PASSWORD),
                CredentialsTest.entry(OPERATOR, Role.OPERATOR, OPERATOR_PASSWORD)));
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        remote = RemoteJmx.start(RemoteJmx.Config.loopback(RemoteJmxIT.freePort(), Optional.of(credentials)),
                ManagementFactory.getPlatformMBeanServer());
    }

    @AfterAll
    void stop() {
        if (remote != null) {
            remote.close();
        }
    }

    private JMXConnector connect(String user, String password) throws Exception {
        return JMXConnectorFactory.connect(remote.serviceUrl(), Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }

    @Test
    void aViewerPollsTheJvmAsJConsoleDoesThreadInfoIncludedAndNothingIsAudited() throws Exception {
        try (LogCapture audit = LogCapture.audit(); JMXConnector c = connect(VIEWER, VIEWER_PASSWORD)) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();
            ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(mbs, ManagementFactory.THREAD_MXBEAN_NAME,
                    ThreadMXBean.class);
            MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(mbs, ManagementFactory.MEMORY_MXBEAN_NAME,
                    MemoryMXBean.class);
            RuntimeMXBean runtime = ManagementFactory.newPlatformMXBeanProxy(mbs, ManagementFactory.RUNTIME_MXBEAN_NAME,
                    RuntimeMXBean.class);
            for (int poll = 0; poll < 3; poll++) { // JConsole's 4 s refresh, three times over
                long[] ids = threads.getAllThreadIds();
                assertTrue(ids.length > 0);
                ThreadInfo[] infos = threads.getThreadInfo(ids); // the Threads tab's chart and list
                assertTrue(Arrays.stream(infos).anyMatch(i -> i != null && i.getThreadName().equals("main")
                        || i != null && i.getThreadId() == ids[0]), "thread infos: " + Arrays.toString(infos));
                ThreadInfo withStack = threads.getThreadInfo(ids[0], Integer.MAX_VALUE); // a thread's stack trace
                assertNotNull(withStack, "the stack of thread " + ids[0]);
                threads.findDeadlockedThreads(); // "Detect Deadlock"; null when there is none
                assertTrue(threads.getThreadCount() > 0 && threads.getPeakThreadCount() > 0);
                assertTrue(memory.getHeapMemoryUsage().getUsed() > 0);
                assertTrue(runtime.getUptime() > 0 && !runtime.getVmName().isEmpty());
                assertNotNull(mbs.getAttribute(new ObjectName(ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME), "ProcessCpuLoad"));
            }
            assertTrue(threads.dumpAllThreads(false, false).length > 0, "a thread dump (VisualVM, Hawtio)");
            assertEquals(List.of(), audit.lines(), "reads leave no audit lines");
        }
    }

    @Test
    void whatChangesOrDumpsTheJvmIsRefusedToViewersAndOperatorsAlike() throws Exception {
        ObjectName hotspot = new ObjectName("com.sun.management:type=HotSpotDiagnostic");
        Path heap = dir.resolve("heap.hprof");
        for (String[] user : List.of(new String[] {VIEWER, VIEWER_PASSWORD}, new String[] {OPERATOR, OPERATOR_PASSWORD})) {
            try (JMXConnector c = connect(user[0], user[1])) {
                MBeanServerConnection mbs = c.getMBeanServerConnection();
                ObjectName memory = new ObjectName(ManagementFactory.MEMORY_MXBEAN_NAME);
                ObjectName threading = new ObjectName(ManagementFactory.THREAD_MXBEAN_NAME);
                SecurityException gc = assertThrows(SecurityException.class, () -> mbs.invoke(memory, "gc", null, null));
                assertTrue(gc.getMessage().startsWith("Access denied! Remote JMX"), user[0] + ": " + gc.getMessage());
                assertThrows(SecurityException.class, () -> mbs.invoke(threading, "resetPeakThreadCount", null, null));
                assertThrows(SecurityException.class,
                        () -> mbs.setAttribute(threading, new Attribute("ThreadCpuTimeEnabled", false)));
                assertThrows(SecurityException.class, () -> mbs.invoke(hotspot, "dumpHeap",
                        new Object[] {heap.toString(), true}, new String[] {"java.lang.String", "boolean"}));
                // A pattern is not the Threading MBean, even where it would match it.
                assertThrows(SecurityException.class, () -> mbs.invoke(new ObjectName("java.lang:type=Threading,*"),
                        "getThreadInfo", new Object[] {new long[] {1}}, new String[] {"[J"}));
            }
        }
        assertFalse(Files.exists(heap), "no heap dump may be written");
        assertTrue(ManagementFactory.getThreadMXBean().isThreadCpuTimeEnabled(), "ThreadCpuTimeEnabled unchanged");
    }

    @Test
    void aViewerAskingForTooManyThreadsAtOnceIsRefusedAndTheConnectorLivesOn() throws Exception {
        try (JMXConnector c = connect(VIEWER, VIEWER_PASSWORD)) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();
            ObjectName threading = new ObjectName(ManagementFactory.THREAD_MXBEAN_NAME);
            long[] huge = new long[200_000]; // past the connector's array bound (100,000)
            assertThrows(Exception.class, () -> mbs.invoke(threading, "getThreadInfo", new Object[] {huge},
                    new String[] {"[J"}));
        }
        try (JMXConnector c = connect(VIEWER, VIEWER_PASSWORD)) {
            ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(c.getMBeanServerConnection(),
                    ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
            assertTrue(threads.getThreadInfo(threads.getAllThreadIds()).length > 0, "the connector still answers");
        }
    }

    @Test
    void repeatedRefusalsAreOneAuditLinePerIntervalWithTheCount() throws Exception {
        Duration interval = Duration.ofSeconds(3);
        int attempts = 25;
        try (LogCapture audit = LogCapture.audit();
             AuditLog.Digest digest = AuditLog.digestRefusals(interval);
             JMXConnector c = connect(VIEWER, VIEWER_PASSWORD)) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();
            ObjectName memory = new ObjectName(ManagementFactory.MEMORY_MXBEAN_NAME);
            long started = System.nanoTime();
            for (int i = 0; i < attempts; i++) {
                assertThrows(SecurityException.class, () -> mbs.invoke(memory, "gc", null, null));
            }
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            TestBed.await(interval.multipliedBy(4), "every refusal on record, as a line or in a line's count",
                    () -> onRecord(audit.lines()) == attempts);
            List<String> lines = audit.lines();
            String first = lines.get(0);
            assertTrue(first.contains("surface=jmx user=vic role=viewer") && first.contains("member=gc")
                    && first.contains("outcome=denied") && !first.contains("count="), first);
            assertTrue(lines.get(lines.size() - 1).contains(" count="), "the interval's line with the count: " + lines);
            // At most one line when the digest began, and one per interval the attempts spanned.
            long intervals = tookMillis / interval.toMillis() + 1;
            assertTrue(lines.size() <= 1 + intervals, attempts + " refusals in " + tookMillis + " ms gave "
                    + lines.size() + " lines: " + lines);
        }
    }

    /** Refusals the lines stand for: one each, or the {@code count=N} of a digest line. */
    private static long onRecord(List<String> lines) {
        return lines.stream()
                .mapToLong(l -> l.contains(" count=") ? Long.parseLong(l.substring(l.lastIndexOf("count=") + 6)) : 1)
                .sum();
    }
}
