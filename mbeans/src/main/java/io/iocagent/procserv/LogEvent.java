package io.iocagent.procserv;

import io.iocagent.crash.ChildExit;

/**
 * One fact read from a procServ log, with the byte offset (in the file it was read from) of the
 * line that carries it. Events of one file arrive in file order.
 */
public sealed interface LogEvent {

    /** Byte offset of the start of the line in its file. */
    long offset();

    /** procServ started a child: {@code @@@ The PID of new child "NAME" is: PID}. */
    record ChildStarted(long offset, int pid) implements LogEvent {
    }

    /**
     * procServ's death banner {@code @@@ Child process is shutting down}: the child died or was
     * killed — also written once when the unit is stopped or restarted.
     */
    record ChildShuttingDown(long offset) implements LogEvent {
    }

    /** The IOC's readiness marker {@code All initialization complete} (iocInit finished). */
    record InitComplete(long offset) implements LogEvent {
    }

    /** A fatal crash token (identifier-bounded FATAL, Segmentation fault, undefined symbol, …). */
    record FatalToken(long offset, String line) implements LogEvent {
    }

    /** A corroborating token that is not fatal (ERROR, Can't open, …, or the IOC's extra patterns). */
    record ErrorToken(long offset, String line) implements LogEvent {
    }

    /**
     * procServ reaped its child: {@code @@@ Received a sigChild for process N. …} with the exit
     * status or the signal; {@link ChildExit#at()} is null (the reader does not know the time).
     */
    record ChildExited(long offset, ChildExit exit) implements LogEvent {
    }
}
