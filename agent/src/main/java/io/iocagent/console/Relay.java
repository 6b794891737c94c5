package io.iocagent.console;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Moves bytes between a console connection and the user's terminal until one side ends.
 *
 * <p>The calling thread copies IOC output to {@code stdout}, flushing every chunk, because
 * procServ writes to each client with a 10 s send timeout and blocks its whole loop meanwhile
 * (procserv.md §1.7): a client that stops reading stalls every other client. A daemon thread reads
 * {@code stdin}; it watches for the exit keys and, when attached, forwards everything before them.
 * Java cannot interrupt a blocking read of fd 0, so that thread may stay parked in
 * {@code stdin.read} after {@link #run} returns; the command line exits right after, and a
 * test closes its fake stdin.
 */
final class Relay {

    /** Ctrl-A: detaches in both modes and is never forwarded (the seed's {@code con} key). */
    static final int CTRL_A = 0x01;
    /** Ctrl-C: also ends a monitor (in raw mode it is a byte, not SIGINT). Forwarded when attached. */
    static final int CTRL_C = 0x03;

    /**
     * How long an attach keeps showing output after its stdin ends (piped input), so the IOC's
     * reply to the last line is not lost. socat's default {@code -t} is the same half second.
     */
    static final Duration INPUT_EOF_GRACE = Duration.ofMillis(500);

    /** Why a relay ended. */
    enum End {
        /** The user pressed an exit key, or (attach) input ended, or the terminal went away. */
        DETACHED,
        /** procServ closed the connection: it stopped, or dropped this client. */
        IOC_CLOSED
    }

    private final InputStream fromIoc;
    private final Optional<OutputStream> toIoc;
    private final Closeable hangUp;
    private final InputStream stdin;
    private final OutputStream stdout;
    private final boolean stdinIsTerminal;
    private final AtomicReference<End> end = new AtomicReference<>();

    /**
     * @param toIoc           empty for a monitor: then stdin is only watched for exit keys
     * @param hangUp          closes the connection, so that a blocked read of {@code fromIoc} returns
     * @param stdinIsTerminal whether end-of-input means the user's terminal is gone (then a monitor
     *                        ends) rather than a pipe running dry (then a monitor keeps watching)
     */
    Relay(InputStream fromIoc, Optional<OutputStream> toIoc, Closeable hangUp, InputStream stdin,
          OutputStream stdout, boolean stdinIsTerminal) {
        this.fromIoc = fromIoc;
        this.toIoc = toIoc;
        this.hangUp = hangUp;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stdinIsTerminal = stdinIsTerminal;
    }

    /**
     * Relays until the user detaches or procServ closes the connection.
     *
     * @throws IOException reading from procServ failed other than by an orderly close, or writing
     *                     to {@code stdout} failed
     */
    End run() throws IOException {
        Thread keys = new Thread(this::watchInput, "console-stdin");
        keys.setDaemon(true);
        keys.start();
        byte[] buf = new byte[8192];
        while (true) {
            int n;
            try {
                n = fromIoc.read(buf);
            } catch (IOException e) {
                if (end.get() != null) {
                    break; // the input side hung up on purpose (junixsocket usually reports that as EOF)
                }
                throw new IOException("reading from procServ failed: " + e.getMessage(), e);
            }
            if (n < 0) {
                break;
            }
            try {
                stdout.write(buf, 0, n);
                stdout.flush();
            } catch (IOException e) {
                throw new IOException("cannot write the console output: " + e.getMessage(), e);
            }
        }
        end.compareAndSet(null, End.IOC_CLOSED);
        return end.get();
    }

    private void watchInput() {
        byte[] buf = new byte[1024];
        while (end.get() == null) {
            int n;
            try {
                n = stdin.read(buf);
            } catch (IOException e) {
                n = -1; // a terminal that hung up reports EIO; same meaning as end-of-input
            }
            if (n < 0) {
                inputEnded();
                return;
            }
            int exit = indexOfExitKey(buf, n);
            int forward = exit < 0 ? n : exit;
            if (toIoc.isPresent() && forward > 0) {
                try {
                    toIoc.get().write(buf, 0, forward);
                    toIoc.get().flush();
                } catch (IOException e) {
                    return; // procServ is gone; the reading side sees EOF and reports it
                }
            }
            if (exit >= 0) {
                finish(End.DETACHED);
                return;
            }
        }
    }

    private void inputEnded() {
        if (toIoc.isEmpty() && !stdinIsTerminal) {
            return; // a monitor fed from a pipe or /dev/null keeps watching until the IOC closes
        }
        if (toIoc.isPresent()) {
            try {
                Thread.sleep(INPUT_EOF_GRACE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        finish(End.DETACHED);
    }

    private void finish(End why) {
        if (end.compareAndSet(null, why)) {
            try {
                hangUp.close();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot close the console connection", e);
            }
        }
    }

    /** Index of the first byte that ends the session, or -1. */
    private int indexOfExitKey(byte[] buf, int n) {
        for (int i = 0; i < n; i++) {
            int b = buf[i];
            if (b == CTRL_A || (b == CTRL_C && toIoc.isEmpty())) {
                return i;
            }
        }
        return -1;
    }
}
