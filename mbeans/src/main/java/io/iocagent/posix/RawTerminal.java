package io.iocagent.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Standard input (fd 0) switched to raw mode for a console session, and the promise to switch it
 * back.
 *
 * <p>Raw mode ({@code cfmakeraw}) hands every key to the program at once, unechoed and
 * untranslated: Ctrl-A and Ctrl-C arrive as bytes instead of being line-edited or turned into
 * SIGINT, and the IOC's pty (through procServ) does the echoing. Output post-processing is off
 * too, which is harmless because procServ already sends CR LF.
 *
 * <p>The saved settings are restored by {@link #restore()} (idempotent, thread-safe) and, should
 * the JVM exit first, by a shutdown hook, which the JVM runs on normal exit, {@code System.exit},
 * SIGTERM, SIGINT and SIGHUP. Nothing can restore after SIGKILL or a JVM crash; {@code stty sane}
 * repairs the terminal then.
 *
 * <p>{@code struct termios} is handled as an opaque block of {@code sizeof(struct termios)} bytes:
 * glibc's {@code tcgetattr} fills it, {@code cfmakeraw} edits it, {@code tcsetattr} applies it, so
 * no field offset is relied on. The size is 60 on glibc for x86_64 and aarch64 (the generic Linux
 * {@code bits/termios-struct.h}: four {@code tcflag_t} (uint32) {@code c_iflag/c_oflag/c_cflag/
 * c_lflag} at 0/4/8/12, {@code cc_t c_line} at 16, {@code cc_t c_cc[NCCS=32]} at 17, padding,
 * {@code speed_t c_ispeed/c_ospeed} at 52/56). Verified with gcc against glibc 2.36 headers on
 * x86_64: {@code sizeof(struct termios)=60 NCCS=32}, the offsets above. Other platforms (whose
 * layouts differ, e.g. powerpc's {@code NCCS=19}) get no raw mode: {@link #enter()} is empty.
 */
public final class RawTerminal {

    /** {@code sizeof(struct termios)} on glibc x86_64 and aarch64; see the class comment. */
    static final int TERMIOS_SIZE = 60;

    private static final int STDIN = 0;
    /** {@code TCSADRAIN}: apply after pending output is written, without discarding typed-ahead input. */
    private static final int TCSADRAIN = 1;

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int tcgetattr(int fd, Pointer termios) throws LastErrorException;

        int tcsetattr(int fd, int optionalActions, Pointer termios) throws LastErrorException;

        void cfmakeraw(Pointer termios);
    }

    private final Memory saved;
    private final Thread hook;
    private boolean restored;

    private RawTerminal(Memory saved) {
        this.saved = saved;
        this.hook = new Thread(this::restore, "raw-terminal-restore");
    }

    /**
     * Switches stdin to raw mode when it is a terminal on a supported platform.
     *
     * @return the handle that restores the previous settings, or empty when stdin is not a
     *         terminal (a pipe, a file, /dev/null) or the platform's termios layout is not known
     * @throws UncheckedIOException the terminal refused the settings
     */
    public static Optional<RawTerminal> enter() {
        if (!supported() || !Posix.isTerminal(STDIN)) {
            return Optional.empty();
        }
        Memory saved = new Memory(TERMIOS_SIZE);
        Memory raw = new Memory(TERMIOS_SIZE);
        try {
            LibC.INSTANCE.tcgetattr(STDIN, saved);
            raw.write(0, saved.getByteArray(0, TERMIOS_SIZE), 0, TERMIOS_SIZE);
            LibC.INSTANCE.cfmakeraw(raw);
            RawTerminal terminal = new RawTerminal(saved);
            Runtime.getRuntime().addShutdownHook(terminal.hook); // before the switch: no window without a hook
            LibC.INSTANCE.tcsetattr(STDIN, TCSADRAIN, raw);
            return Optional.of(terminal);
        } catch (LastErrorException e) {
            throw new UncheckedIOException(new IOException(
                    "Cannot switch the terminal on stdin to raw mode (errno " + e.getErrorCode() + ")", e));
        }
    }

    /**
     * Puts back the settings saved by {@link #enter()}. Idempotent; safe from any thread,
     * including during shutdown. A failure is reported on stderr, since there is nobody else
     * to tell at that point and the caller is leaving anyway.
     */
    public synchronized void restore() {
        if (restored) {
            return;
        }
        restored = true;
        try {
            LibC.INSTANCE.tcsetattr(STDIN, TCSADRAIN, saved);
        } catch (LastErrorException e) {
            System.err.println("Warning: could not restore the terminal settings (errno " + e.getErrorCode()
                    + "); run 'stty sane' to repair it.");
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; the hook will find this instance restored
            }
        }
    }

    private static boolean supported() {
        return Platform.isLinux() && Platform.is64Bit() && (Platform.isIntel() || Platform.isARM());
    }
}
