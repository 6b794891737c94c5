package io.iocagent.proc;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A process attached to an IOC's console socket: the holder of the client end of a connection
 * procServ has accepted.
 *
 * @param pid          the client process
 * @param user         its effective user's login name (or uid as text)
 * @param command      its command line, as {@link ProcessInfo#commandLine()}
 * @param since        when the process started. The kernel records no connection time for a UNIX
 *                     socket, so the process start time stands in for it: a client such as
 *                     {@code socat} or {@code telnet} connects right after it starts, but a
 *                     long-lived process that connected later shows an earlier time. Empty
 *                     when unknown
 * @param socketInode  inode of the client's socket (the peer of procServ's accepted socket)
 */
public record ConsoleClient(int pid, String user, String command, Optional<Instant> since, long socketInode) {

    public ConsoleClient {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(since, "since");
    }
}
