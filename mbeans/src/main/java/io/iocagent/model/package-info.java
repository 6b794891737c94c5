/**
 * The live model: an immutable {@link io.iocagent.model.Snapshot} of every IOC, rebuilt by one
 * refresher from the sources (systemd over D-Bus, the conf directory, procServ logs, netlink and
 * /proc) and read by every surface (MXBeans, Jolokia, /metrics) without ever blocking on a source.
 * May depend on {@code conf}, {@code crash}, {@code systemd}, {@code procserv}, {@code netlink}, {@code proc}.
 */
package io.iocagent.model;
