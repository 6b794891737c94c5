package io.iocagent.proc;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The two {@code sysconf(3)} values needed to read {@code /proc/PID/stat}: clock ticks per second
 * ({@code USER_HZ}, the unit of its times) and the page size (the unit of its memory sizes).
 * Read once through JNA direct mapping; the {@code _SC_*} numbers are glibc's for Linux.
 */
final class Sysconf {

    private static final int SC_CLK_TCK = 2;
    private static final int SC_PAGESIZE = 30;

    static {
        Native.register(Sysconf.class, Platform.C_LIBRARY_NAME);
    }

    private static native long sysconf(int name);

    /**
     * Clock ticks per second. When sysconf reports nothing (-1), 100: {@code USER_HZ} is 100 on
     * every architecture this agent runs on (x86_64, aarch64), whatever the kernel's HZ.
     */
    static final long CLOCK_TICKS = positiveOr(sysconf(SC_CLK_TCK), 100);

    /** Bytes per page; 4096 when sysconf reports nothing (aarch64 kernels may use 16 or 64 KiB). */
    static final long PAGE_SIZE = positiveOr(sysconf(SC_PAGESIZE), 4096);

    private Sysconf() {
    }

    private static long positiveOr(long value, long fallback) {
        return value > 0 ? value : fallback;
    }
}
