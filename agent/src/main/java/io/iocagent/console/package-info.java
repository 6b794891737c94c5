/**
 * The procServ console as the command line's client sees it (only {@code ioc-runner attach} and
 * {@code monitor} use it, so it lives in the agent module): the telnet framing procServ puts around the IOC's
 * output ({@link io.iocagent.console.TelnetFilter}), a UNIX-socket connection that is read-only or
 * read-write by type ({@link io.iocagent.console.ConsoleConnection}), and the {@code attach} and
 * {@code monitor} operations ({@link io.iocagent.console.Console}). Depends on {@code ops}
 * (Terminal, OperationException), {@code conf} (IocName), {@code posix} (RawTerminal) and junixsocket.
 */
package io.iocagent.console;
