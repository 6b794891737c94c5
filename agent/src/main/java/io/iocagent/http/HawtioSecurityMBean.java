package io.iocagent.http;

import java.util.List;
import java.util.Map;
import javax.management.openmbean.TabularData;

/**
 * Hawtio's JMX security interface ({@code io.hawt.jmx.JMXSecurityMBean}, found by Hawtio with a
 * {@code search} of {@code *:type=security,area=jmx,*}): whether the caller of the current
 * Jolokia request may invoke an MBean's operations, so Hawtio disables the buttons it cannot use.
 * Names and types are Hawtio's; the answers are the agent's own access rules.
 */
public interface HawtioSecurityMBean {

    /** True when the caller may invoke some operation of {@code objectName}. */
    boolean canInvoke(String objectName) throws Exception;

    /** True when the caller may invoke {@code methodName} (any overload) of {@code objectName}. */
    boolean canInvoke(String objectName, String methodName) throws Exception;

    /** True when the caller may invoke {@code methodName} of {@code objectName}. */
    boolean canInvoke(String objectName, String methodName, String[] argumentTypes) throws Exception;

    /**
     * For each ObjectName, each of its operations as Hawtio writes them ({@code restart()},
     * {@code tailLog(int)}): rows of {@code ObjectName}, {@code Method}, {@code CanInvoke}.
     */
    TabularData canInvoke(Map<String, List<String>> bulkQuery) throws Exception;
}
