package io.iocagent.proc;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two {@code sysconf(3)} values needed to read {@code /proc/PID/stat}: clock ticks per second
 * ({@code USER_HZ}, the unit of its times) and the page size (the unit of its memory sizes).
 * Read once from the process's auxiliary vector ({@code /proc/self/auxv}: {@code AT_CLKTCK},
 * {@code AT_PAGESZ}, where glibc's {@code sysconf} takes them from too), so a short command loads
 * no native library; through JNA direct mapping only when that file cannot be read. The
 * {@code _SC_*} numbers are glibc's for Linux.
 */
final class Sysconf {

    private static final int SC_CLK_TCK = 2;
    private static final int SC_PAGESIZE = 30;
    private static final long AT_PAGESZ = 6;
    private static final long AT_CLKTCK = 17;

    /**
     * Clock ticks per second. When nothing reports it, 100: {@code USER_HZ} is 100 on every
     * architecture this agent runs on (x86_64, aarch64), whatever the kernel's HZ.
     */
    static final long CLOCK_TICKS = positiveOr(auxv(AT_CLKTCK, SC_CLK_TCK), 100);

    /** Bytes per page; 4096 when nothing reports it (aarch64 kernels may use 16 or 64 KiB). */
    static final long PAGE_SIZE = positiveOr(auxv(AT_PAGESZ, SC_PAGESIZE), 4096);

    private Sysconf() {
    }

    /** The auxiliary vector's entry {@code type} (64-bit: pairs of native-order longs), else sysconf({@code name}). */
    private static long auxv(long type, int name) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv"))).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 16) {
                long t = b.getLong();
                long v = b.getLong();
                if (t == type) {
                    return v;
                }
                if (t == 0) {
                    break; // AT_NULL ends the vector
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: ask libc
        }
        return Libc.sysconf(name);
    }

    private static long positiveOr(long value, long fallback) {
        return value > 0 ? value : fallback;
    }

    private static final class Libc {
        static {
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
        }

        private static native long sysconf(int name);
    }
}
