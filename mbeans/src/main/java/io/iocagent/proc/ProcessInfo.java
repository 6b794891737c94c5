package io.iocagent.proc;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One process as {@code ps -o pid,ppid,user,stat,lstart,time,rss,cmd} would show it, read from
 * {@code /proc/PID/stat}, {@code /proc/PID/status} and {@code /proc/PID/cmdline} at one moment.
 *
 * @param pid         process id (thread-group id)
 * @param ppid        parent's process id; 0 for PID 1 and kernel thread roots
 * @param uid         effective uid (second {@code Uid:} field of {@code status}, as {@code ps -o user})
 * @param user        login name of {@code uid}, or the number as text when no user database knows it
 * @param startTime   when the process started: boot time ({@code btime} of {@code /proc/stat},
 *                    whole seconds) plus {@code starttime} ticks; so accurate to about a second
 * @param state       state letter ({@code R}, {@code S}, {@code D}, {@code Z}, {@code T}, ...)
 * @param commandLine the arguments joined by spaces; for a process without any (kernel thread,
 *                    zombie) its name in brackets, {@code "[kthreadd]"}, as {@code ps} shows it
 * @param cpuTime     user plus system CPU time consumed so far (children excluded)
 * @param rssBytes    resident set size in bytes (resident pages × page size)
 */
public record ProcessInfo(int pid, int ppid, int uid, String user, Instant startTime, char state,
                          String commandLine, Duration cpuTime, long rssBytes) {

    public ProcessInfo {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(startTime, "startTime");
        Objects.requireNonNull(commandLine, "commandLine");
        Objects.requireNonNull(cpuTime, "cpuTime");
    }
}
