package io.iocagent.jmx;

import java.util.Set;
import javax.management.ObjectName;

/**
 * The operations of the JVM's own MBeans that only read, which every caller who may read — viewers
 * and anonymous callers too — may invoke on every surface (remote JMX, Jolokia), unaudited like any
 * read: what JConsole's, VisualVM's and Hawtio's thread views call every few seconds
 * ({@code ThreadMXBean.getThreadInfo}, deadlock detection, per-thread CPU time, a thread dump).
 * Nothing here changes the JVM or writes a file: {@code Memory.gc}, {@code resetPeakThreadCount},
 * {@code MemoryPool.resetPeakUsage}, the diagnostic commands and {@code HotSpotDiagnostic.dumpHeap}
 * stay operations, for nobody on the remote surfaces but the {@code epics.ioc} domain's operators.
 * Attributes of {@code java.lang} are readable anyway, except the command line
 * ({@link Disclosure}).
 */
public final class JvmReads {

    /** {@code java.lang:type=Threading}, the only MBean with read-only operations here. */
    public static final String THREADING = "java.lang:type=Threading";

    /** ThreadMXBean's (and com.sun.management.ThreadMXBean's) operations that only read. */
    public static final Set<String> THREADING_READS = Set.of("getThreadInfo", "dumpAllThreads", "findDeadlockedThreads",
            "findMonitorDeadlockedThreads", "getThreadCpuTime", "getThreadUserTime", "getThreadAllocatedBytes");

    private JvmReads() {
    }

    /**
     * True when {@code operation} of {@code mbean} only reads. {@code operation} may carry a
     * Jolokia signature ({@code getThreadInfo([J,int)}), which is ignored.
     */
    public static boolean readOnly(ObjectName mbean, String operation) {
        if (mbean == null || operation == null || mbean.isPattern()) {
            return false;
        }
        int paren = operation.indexOf('(');
        String name = paren < 0 ? operation : operation.substring(0, paren);
        return THREADING.equals(mbean.getCanonicalName()) && THREADING_READS.contains(name);
    }
}
