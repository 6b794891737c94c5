package io.iocagent.model;

/** A process connected to an IOC's console (an MXBean composite: names appear verbatim). */
public record ConsoleClientInfo(int pid, String user, String command) {
}
