package io.iocagent.cli;

import io.iocagent.ops.Progress;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The {@link Progress} of a command on a terminal: one line on stderr — a turning bar, what is
 * waited for, the seconds so far and the limit — redrawn four times a second by a daemon thread
 * and erased (carriage return, erase to end of line) before any other line is printed (it comes
 * back with the next {@link #waitingFor}) and when the wait is over. Drawing is guarded by the owning terminal's lock, so a line printed by the
 * operation never interleaves with a redraw.
 */
final class StatusLine implements Progress {

    private static final String FRAMES = "|/-\\";
    private static final long TICK_MILLIS = 250;
    private static final String ERASE = "\r\033[K";

    private final PrintStream err;
    private final PrintStream out;
    private final Object lock;
    private final int width;
    private final Thread ticker;
    private String what;
    private Duration limit = Duration.ZERO;
    private long since;
    private int frame;
    private boolean shown;
    /** Set when another line was printed: the status stays away until the next {@link #waitingFor}. */
    private boolean paused;
    private boolean closed;

    /**
     * @param lock  the terminal's output lock
     * @param width columns of the terminal; the line is cut to fit in one less
     */
    StatusLine(PrintStream out, PrintStream err, Object lock, int width) {
        this.out = out;
        this.err = err;
        this.lock = lock;
        this.width = width;
        this.ticker = new Thread(this::tick, "status-line");
        ticker.setDaemon(true);
    }

    @Override
    public void waitingFor(String what, Duration limit) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            this.what = what;
            this.limit = limit;
            this.since = System.nanoTime();
            this.paused = false;
            draw();
            if (!ticker.isAlive()) {
                ticker.start();
            }
        }
    }

    private void tick() {
        try {
            while (true) {
                Thread.sleep(TICK_MILLIS);
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                    frame++;
                    if (!paused) {
                        draw();
                    }
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Under the lock: the line as it is now. */
    private void draw() {
        out.flush();
        err.print(ERASE + render(FRAMES.charAt(frame % FRAMES.length()), what,
                Duration.ofNanos(System.nanoTime() - since), limit, width));
        err.flush();
        shown = true;
    }

    /**
     * Under the lock: clears the line so the next output starts on an empty one, and keeps it away
     * until the operation says what it waits for next (a verdict or a warning is not followed by
     * a status line that no longer applies).
     */
    void erase() {
        paused = true;
        if (shown) {
            err.print(ERASE);
            err.flush();
            shown = false;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            erase();
        }
        ticker.interrupt();
    }

    /**
     * The text of the line: {@code "| what (12s of 30s)"}, cut in the middle of {@code what} to fit
     * {@code width - 1} columns (a line as wide as the terminal would wrap, and the carriage return
     * would then not reach its start). Control characters in {@code what} are shown as {@code ?}.
     */
    static String render(char frame, String what, Duration elapsed, Duration limit, int width) {
        String time = " (" + elapsed.toSeconds() + "s" + (limit.isZero() ? "" : " of " + limit.toSeconds() + "s") + ")";
        String text = Usage.printable(what);
        int room = width - 1 - 2 - time.length();
        if (text.length() > room) {
            int keep = Math.max(0, room - 3);
            text = text.substring(0, keep / 2) + "..." + text.substring(text.length() - (keep - keep / 2));
        }
        String line = frame + " " + text + time;
        return line.length() > width - 1 ? line.substring(0, Math.max(0, width - 1)) : line;
    }
}
