/**
 * systemd over D-Bus: {@link io.iocagent.systemd.SystemdBus}, the agent's long-lived client that
 * lists, inspects, starts, stops, enables and disables IOC units (its package-private parts:
 * {@code ManagerLink}, the connection and retry; {@code UnitStateReader}, batched reads;
 * {@code UnitJobs}, job waiting; {@code UnitFiles}, unit files and reloads; {@code UnitSignals} and {@code SignalFeed}, the unit-change
 * feed), and the hand-written {@code org.freedesktop.systemd1} wire types it uses; {@link io.iocagent.systemd.UnitQuery}, the
 * read-only questions, answered for short commands by {@link io.iocagent.systemd.WireUnitQuery}
 * over the lean {@code io.iocagent.dbus} client; {@link io.iocagent.systemd.ManagerAddress}, where a
 * manager is reached. Only {@link io.iocagent.systemd.UnitName}s (instances of the configured
 * template with a valid IOC name) are ever operated on. Within the project it depends on
 * {@code io.iocagent.conf.IocName} and {@code io.iocagent.dbus}; outside, on dbus-java and slf4j.
 */
package io.iocagent.systemd;
