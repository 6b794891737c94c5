package io.iocagent.crash;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an IOC child ended, as procServ logs it when it reaps the child:
 * {@code @@@ Received a sigChild for process N. Normal exit status = X} or
 * {@code @@@ Received a sigChild for process N. The process was killed by signal S}
 * (procServ 2.7, {@code processClass::Terminate}; see {@code shared/reference/procserv.md} §1.5).
 *
 * <p>A child the agent saw gone without procServ's line (procServ could not write its log, e.g.
 * the log directory was full) is an {@linkplain #unlogged unlogged} exit: its reason is
 * {@code unknown}.
 *
 * @param pid    the child's PID
 * @param code   the exit status when it exited, else -1 ({@link #UNLOGGED} when not known)
 * @param signal the signal number that killed it, else 0
 * @param at     when the agent read the line; null when it came from a log read at start-up
 *               (procServ's log lines carry no time of their own unless {@code --logstamp} is set)
 */
public record ChildExit(int pid, int code, int signal, Instant at) {

    private static final Pattern LINE = Pattern.compile(
            "@@@ Received a sigChild for process (\\d{1,9})\\. (?:Normal exit status = (-?\\d{1,9})"
                    + "|The process was killed by signal (\\d{1,3}))");

    /** Linux signal names by number (x86-64, arm64), without the {@code SIG} prefix; 32 and 33 are glibc's. */
    private static final List<String> SIGNALS = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
            "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    /** The {@code code} of an exit procServ did not log: neither status nor signal is known. */
    public static final int UNLOGGED = Integer.MIN_VALUE;

    /** Child {@code pid} was found gone at {@code at} without procServ's line saying how it ended. */
    public static ChildExit unlogged(int pid, Instant at) {
        return new ChildExit(pid, UNLOGGED, 0, at);
    }

    /** True for an {@linkplain #unlogged unlogged} exit. */
    public boolean isUnlogged() {
        return code == UNLOGGED && signal == 0;
    }

    /** The exit a procServ log line reports, read at {@code at}; empty for any other line. */
    public static Optional<ChildExit> parse(String line, Instant at) {
        if (!line.contains("sigChild")) {
            return Optional.empty();
        }
        Matcher m = LINE.matcher(line);
        if (!m.find()) {
            return Optional.empty();
        }
        int pid = Integer.parseInt(m.group(1));
        return Optional.of(m.group(2) != null
                ? new ChildExit(pid, Integer.parseInt(m.group(2)), 0, at)
                : new ChildExit(pid, -1, Integer.parseInt(m.group(3)), at));
    }

    /** The same exit, dated {@code when}. */
    public ChildExit at(Instant when) {
        return new ChildExit(pid, code, signal, when);
    }

    /** True when a signal killed the child. */
    public boolean signaled() {
        return signal > 0;
    }

    /** {@code SEGV}, {@code KILL}, {@code RTMIN+3}, … or the number when Linux has no name for it. */
    public String signalName() {
        if (signal > 0 && signal < SIGNALS.size()) {
            return SIGNALS.get(signal);
        }
        if (signal >= 34 && signal <= 64) {
            return "RTMIN+" + (signal - 34);
        }
        return Integer.toString(signal);
    }

    /**
     * The metric label: {@code exit_N} (N in 0..255, the only statuses a Linux process can leave)
     * or {@code signal_NAME}, {@code unknown} for an {@linkplain #unlogged unlogged} exit; anything
     * else is {@code other}, so the label set stays bounded (at most 256 + 64 + 2 values) whatever a
     * log says.
     */
    public String reason() {
        if (isUnlogged()) {
            return "unknown";
        }
        if (signaled()) {
            return signal <= 64 ? "signal_" + signalName() : "other";
        }
        return code >= 0 && code <= 255 ? "exit_" + code : "other";
    }

    /**
     * The one text of an exit every surface shows ({@code LastExit}, {@code status},
     * {@code list --json}): {@code child 4711 killed by signal SEGV (11)}.
     */
    public String summary() {
        return "child " + pid + " " + describe();
    }

    /** For people: {@code killed by signal SEGV (11)} or {@code exited with status 3}. */
    public String describe() {
        if (isUnlogged()) {
            return "ended, how is not known (procServ could not log it)";
        }
        return signaled() ? "killed by signal " + signalName() + " (" + signal + ")" : "exited with status " + code;
    }
}
