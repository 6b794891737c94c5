package io.iocagent.proc;

/**
 * The fields of one {@code /proc/PID/stat} line this package uses ({@code man 5 proc}, fields
 * numbered from 1). The command name (field 2) is in parentheses and may itself contain spaces
 * and parentheses, so the fields after it are counted from the <em>last</em> {@code ')'}.
 *
 * @param comm       field 2 without the parentheses (at most 15 bytes, set by the process)
 * @param state      field 3, e.g. {@code 'S'}, {@code 'R'}, {@code 'Z'}
 * @param ppid       field 4
 * @param flags      field 9, the kernel's {@code PF_*} bits
 * @param utime      field 14, clock ticks in user mode
 * @param stime      field 15, clock ticks in kernel mode
 * @param startTime  field 22, clock ticks after boot at which the process started
 * @param rssPages   field 24, resident pages: the same {@code get_mm_rss()} figure as the second
 *                   field of {@code /proc/PID/statm}
 */
record ProcStat(String comm, char state, int ppid, long flags, long utime, long stime, long startTime,
                long rssPages) {

    /** {@code PF_KTHREAD}: the task is a kernel thread (no user memory, no file descriptors). */
    static final long PF_KTHREAD = 0x00200000L;

    /**
     * Parses one stat line.
     *
     * @throws IllegalArgumentException when the text is not a stat line
     */
    static ProcStat parse(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= line.length()) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + abbreviate(line));
        }
        String[] f = line.substring(close + 2).trim().split(" ");
        // f[0] is field 3.
        if (f.length < 22 || f[0].length() != 1) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + abbreviate(line));
        }
        return new ProcStat(line.substring(open + 1, close), f[0].charAt(0), Integer.parseInt(f[1]),
                Long.parseUnsignedLong(f[6]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                Long.parseLong(f[19]), Long.parseLong(f[21]));
    }

    boolean isKernelThread() {
        return (flags & PF_KTHREAD) != 0;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
