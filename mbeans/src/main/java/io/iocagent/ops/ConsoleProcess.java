package io.iocagent.ops;

/**
 * A process on one side of an IOC's console socket, as {@code inspect} reports it (an MXBean
 * composite: the component names appear verbatim as item names).
 *
 * @param pid       process id
 * @param user      effective user's login name, or the uid as text
 * @param command   command line, arguments joined by spaces
 * @param startedAt when the process started, ISO-8601 UTC to the second; empty when unknown
 */
public record ConsoleProcess(int pid, String user, String command, String startedAt) {
}
