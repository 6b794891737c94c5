package io.iocagent.proc;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One process as {@code ps -o pid,ppid,user,stat,lstart,time,rss,comm,cmd} would show it, read from
 * {@code /proc/PID/stat}, {@code /proc/PID/status} and {@code /proc/PID/cmdline} at one moment.
 *
 * @param pid         process id (thread-group id)
 * @param ppid        parent's process id; 0 for PID 1 and kernel thread roots
 * @param uid         effective uid (second {@code Uid:} field of {@code status}, as {@code ps -o user})
 * @param user        login name of {@code uid}, or the number as text when no user database knows it
 * @param startTime   when the process started: boot time ({@code btime} of {@code /proc/stat},
 *                    whole seconds) plus {@code starttime} ticks; so accurate to about a second
 * @param state       state letter ({@code R}, {@code S}, {@code D}, {@code Z}, {@code T}, ...)
 * @param name        the kernel's name for it ({@code comm}, field 2 of {@code stat}, at most 15
 *                    bytes): the executed file's name, e.g. {@code st.cmd} for a script whose
 *                    interpreter is argv[0] — what {@code lsof} and {@code ps -o comm} show
 * @param commandLine the arguments joined by spaces; for a process without any (kernel thread,
 *                    zombie) its name in brackets, {@code "[kthreadd]"}, as {@code ps} shows it
 * @param cpuTime     user plus system CPU time consumed so far (children excluded)
 * @param rssBytes    resident set size in bytes (resident pages × page size)
 */
public record ProcessInfo(int pid, int ppid, int uid, String user, Instant startTime, char state,
                          String name, String commandLine, Duration cpuTime, long rssBytes) {

    public ProcessInfo {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(startTime, "startTime");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(commandLine, "commandLine");
        Objects.requireNonNull(cpuTime, "cpuTime");
    }
}
