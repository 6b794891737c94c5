/**
 * A lean D-Bus client for commands that live a fraction of a second: SASL {@code EXTERNAL} over
 * the JDK's UNIX-domain sockets, the message format, pipelined calls, and waiting for one signal
 * the caller asked for itself (a start waiting for its {@code JobRemoved}) — no native library.
 * The agent's long-lived connection stays on dbus-java ({@link io.iocagent.systemd.SystemdBus}).
 * Depends on nothing else in the project.
 */
package io.iocagent.dbus;
