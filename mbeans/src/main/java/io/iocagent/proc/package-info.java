/**
 * Processes as {@code /proc} and the cgroup file system describe them, without forking
 * {@code ps}, {@code lsof} or {@code find}: {@link io.iocagent.proc.ProcessTable} maps socket
 * inodes to the PIDs holding them and reads per-process facts, and
 * {@link io.iocagent.proc.ConsoleClients} joins that with a {@code unix_diag} dump to name the
 * processes attached to an IOC console socket. Depends on {@code io.iocagent.netlink} (the dump)
 * and {@code io.iocagent.posix} (user names), and on JNA for {@code sysconf}.
 */
package io.iocagent.proc;
