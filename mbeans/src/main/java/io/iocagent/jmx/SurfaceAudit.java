package io.iocagent.jmx;

import io.iocagent.conf.IocName;
import java.util.List;
import javax.management.ObjectName;

/**
 * Which door audits a JMX call. A surface that knows its caller (Jolokia, the remote JMX
 * connector) writes the audit line of its own requests, refusals included, and marks its thread
 * with {@link #begin()} for the request's duration; {@link Operations} writes lines only for calls
 * that arrive unmarked (a local attach, whose caller is a process of the agent's own user or root).
 * So every operation is one line, whichever door it came through.
 *
 * <p>The mark is bound to the thread because an MBean operation reaches {@link Operations} through
 * {@code MBeanServer.invoke}, which carries no argument for the door it came through; the
 * audit log itself ({@link io.iocagent.ops.AuditLog}) only writes the events it is given.
 */
public final class SurfaceAudit {

    private static final ThreadLocal<Boolean> MARKED = new ThreadLocal<>();

    private SurfaceAudit() {
    }

    /** Closes a {@link #begin()} mark; never throws. */
    public interface Mark extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Marks this thread as serving a request whose surface writes its own audit line, until the
     * returned mark is closed (in a {@code finally} or try-with-resources).
     */
    public static Mark begin() {
        MARKED.set(Boolean.TRUE);
        return MARKED::remove;
    }

    /** True inside {@link #begin()} on this thread. */
    public static boolean active() {
        return MARKED.get() != null;
    }

    /**
     * The IOC an operation on {@code mbean} concerns, for the audit line: the {@code name} key of an
     * {@code epics.ioc} MBean, else a first argument that is a valid IOC name (the manager's
     * {@code start(name)} and friends), else "".
     */
    public static String iocOf(ObjectName mbean, List<?> arguments) {
        if (mbean == null || !"epics.ioc".equals(mbean.getDomain())) {
            return "";
        }
        String name = mbean.getKeyProperty("name");
        if (name != null) {
            return name;
        }
        return arguments != null && !arguments.isEmpty() && arguments.get(0) instanceof String s && IocName.isValid(s) ? s : "";
    }
}
