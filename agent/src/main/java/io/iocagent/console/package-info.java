/**
 * The procServ console as a client sees it: the telnet framing procServ puts around the IOC's
 * output ({@link io.iocagent.console.TelnetFilter}), a UNIX-socket connection that is read-only or
 * read-write by type ({@link io.iocagent.console.ConsoleConnection}), and the {@code attach} and
 * {@code monitor} operations ({@link io.iocagent.console.ConsoleClient}). Depends on {@code ops}
 * (Terminal, OperationException), {@code conf} (IocName), {@code posix} (RawTerminal) and junixsocket.
 */
package io.iocagent.console;
