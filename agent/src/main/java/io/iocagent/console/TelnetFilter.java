package io.iocagent.console;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Removes the telnet framing procServ puts around a console's bytes, and adds the one piece a
 * client must add on the way in.
 *
 * <p>procServ (through libtelnet) sends {@code IAC WILL ECHO, IAC DO LINEMODE}
 * ({@code FF FB 01 FF FD 22}) right after its banner, doubles every 0xFF data byte it sends, and
 * does not wait for replies; a client may ignore the negotiation entirely (procserv.md §1.4,
 * §1.7). Decoding therefore drops {@code IAC WILL|WONT|DO|DONT <opt>}, {@code IAC SB ... IAC SE}
 * and every other two-byte {@code IAC <cmd>}, and turns {@code IAC IAC} into one 0xFF. NUL and CR
 * are data and pass through unchanged (procServ sends them as they come from the pty).
 *
 * <p>On input procServ consumes IAC commands and collapses {@code FF FF} to one 0xFF, so a client
 * that forwards a literal 0xFF must double it ({@link #escape}).
 *
 * <p>A filter instance is a state machine that carries a sequence split across reads to the next
 * call, so it can be fed arbitrary chunks. Not thread-safe: one instance per byte stream.
 */
public final class TelnetFilter {

    static final int IAC = 0xFF;
    static final int DONT = 0xFE;
    static final int DO = 0xFD;
    static final int WONT = 0xFC;
    static final int WILL = 0xFB;
    static final int SB = 0xFA;
    static final int SE = 0xF0;

    private enum State {
        /** Ordinary data. */
        DATA,
        /** After IAC: the command byte comes next. */
        COMMAND,
        /** After IAC WILL/WONT/DO/DONT: the option byte comes next and is dropped. */
        OPTION,
        /** Inside IAC SB ...: everything is dropped until IAC SE. */
        SUBNEGOTIATION,
        /** After IAC inside a subnegotiation: SE ends it, anything else stays inside. */
        SUBNEGOTIATION_COMMAND
    }

    private State state = State.DATA;

    /**
     * Decodes {@code len} bytes of {@code buf} starting at {@code off} in place.
     *
     * @return how many data bytes now sit at {@code buf[off..]}; 0 when the chunk held only
     *         telnet commands (or the start of one that the next chunk completes)
     */
    public int filter(byte[] buf, int off, int len) {
        int out = off;
        for (int i = off; i < off + len; i++) {
            int b = buf[i] & 0xFF;
            switch (state) {
                case DATA -> {
                    if (b == IAC) {
                        state = State.COMMAND;
                    } else {
                        buf[out++] = (byte) b;
                    }
                }
                case COMMAND -> {
                    if (b == IAC) {
                        buf[out++] = (byte) IAC;
                        state = State.DATA;
                    } else if (b >= WILL && b <= DONT) {
                        state = State.OPTION;
                    } else if (b == SB) {
                        state = State.SUBNEGOTIATION;
                    } else {
                        state = State.DATA; // NOP, GA, IP, AYT, a stray SE, ...: two bytes, dropped
                    }
                }
                case OPTION -> state = State.DATA;
                case SUBNEGOTIATION -> {
                    if (b == IAC) {
                        state = State.SUBNEGOTIATION_COMMAND;
                    }
                }
                case SUBNEGOTIATION_COMMAND -> state = b == SE ? State.DATA : State.SUBNEGOTIATION;
                default -> throw new IllegalStateException(state.name());
            }
        }
        return out - off;
    }

    /** True when the bytes seen so far end in the middle of a telnet command. */
    public boolean inCommand() {
        return state != State.DATA;
    }

    /**
     * {@code data[off..off+len)} ready to send to procServ: every 0xFF doubled, nothing else
     * changed. Returns a new array (the input is left alone).
     */
    public static byte[] escape(byte[] data, int off, int len) {
        int iacs = 0;
        for (int i = off; i < off + len; i++) {
            if ((data[i] & 0xFF) == IAC) {
                iacs++;
            }
        }
        byte[] out = new byte[len + iacs];
        int o = 0;
        for (int i = off; i < off + len; i++) {
            out[o++] = data[i];
            if ((data[i] & 0xFF) == IAC) {
                out[o++] = (byte) IAC;
            }
        }
        return out;
    }

    /** {@code raw} with telnet commands removed; {@code read} never returns 0 for a non-empty request. */
    public static InputStream decoding(InputStream raw) {
        return new Decoding(raw);
    }

    /** {@code raw} with every written 0xFF doubled. */
    public static OutputStream escaping(OutputStream raw) {
        return new Escaping(raw);
    }

    private static final class Decoding extends FilterInputStream {

        private final TelnetFilter filter = new TelnetFilter();

        Decoding(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                int n = in.read(b, off, len);
                if (n < 0) {
                    return -1;
                }
                int kept = filter.filter(b, off, n);
                if (kept > 0) {
                    return kept;
                }
            }
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipping raw bytes would desynchronise the state machine; skip decoded bytes instead.
            byte[] sink = new byte[(int) Math.min(n, 4096)];
            long skipped = 0;
            while (skipped < n) {
                int r = read(sink, 0, (int) Math.min(sink.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public int available() {
            return 0; // unknown: buffered raw bytes may be all telnet commands
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    private static final class Escaping extends FilterOutputStream {

        Escaping(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            if ((b & 0xFF) == IAC) {
                out.write(IAC);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(escape(b, off, len));
        }
    }
}
