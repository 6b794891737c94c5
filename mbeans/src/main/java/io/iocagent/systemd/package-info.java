/**
 * systemd over D-Bus: {@link io.iocagent.systemd.SystemdBus}, the one client that lists, inspects,
 * starts, stops, enables and disables IOC units, and the hand-written {@code org.freedesktop.systemd1}
 * wire types it uses. Only {@link io.iocagent.systemd.UnitName}s (instances of the configured
 * template with a valid IOC name) are ever operated on. Within the project it depends only on
 * {@code io.iocagent.conf.IocName}; outside, on dbus-java and slf4j.
 */
package io.iocagent.systemd;
