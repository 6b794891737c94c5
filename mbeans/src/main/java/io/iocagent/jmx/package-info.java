/**
 * The JMX surface: one MXBean per IOC ({@code epics.ioc:type=Ioc,name=NAME}) and a manager
 * ({@code epics.ioc:type=Manager}) whose attributes read only the latest
 * {@link io.iocagent.model.Snapshot} and whose operations call {@code io.iocagent.ops} through
 * {@link io.iocagent.jmx.Operations}; plus the optional remote connector ({@link io.iocagent.jmx.RemoteJmx})
 * and the hashed credentials file it shares with Jolokia ({@link io.iocagent.jmx.Credentials}).
 * A surface: it never talks to a source (systemd, /proc, netlink, the procServ log) itself.
 * Depends on {@code model}, {@code ops}, {@code conf}, {@code crash} (how a child ended) and
 * {@code posix}; outside, on the JDK's {@code java.management} and {@code java.rmi}, and slf4j.
 */
package io.iocagent.jmx;
