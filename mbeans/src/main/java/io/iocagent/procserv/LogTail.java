package io.iocagent.procserv;

import io.iocagent.crash.ChildExit;
import io.iocagent.posix.NoFollowFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The end of a procServ log, read without reading the rest (logs grow to tens of megabytes
 * between rotations): its last lines, and the last child exit written there. What the short-lived
 * commands ({@code status}, {@code list --json}) and {@code tailLog} show; the agent follows the
 * whole log instead ({@link LogReader}).
 *
 * @param lines the complete lines of the last {@link #WINDOW_BYTES} of the log, carriage returns
 *              dropped; the partial first line of the window is left out
 */
public record LogTail(List<String> lines) {

    /** How much of the log's end is read. */
    public static final int WINDOW_BYTES = 64 * 1024;

    public LogTail {
        lines = List.copyOf(lines);
    }

    /**
     * Reads the end of {@code log}, opened as {@link LogFile#open()} allows: never through a link,
     * never another user's file.
     */
    public static LogTail read(LogFile log) throws IOException {
        try (NoFollowFile opened = log.open(); FileChannel f = opened.channel()) {
            long size = f.size();
            long window = Math.min(size, WINDOW_BYTES);
            ByteBuffer read = ByteBuffer.allocate((int) window);
            while (read.hasRemaining() && f.read(read, size - window + read.position()) >= 0) {
                // until the window is full or the file ends (truncated meanwhile)
            }
            byte[] buf = Arrays.copyOf(read.array(), read.position());
            String text = new String(buf, StandardCharsets.UTF_8).replace("\r", "");
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            if (window < size && !lines.isEmpty()) {
                lines.remove(0); // partial first line of the window
            }
            return new LogTail(lines);
        }
    }

    /** The last {@code n} lines. */
    public List<String> last(int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    /**
     * The last child exit procServ logged in this window ({@link ChildExit#parse}, the line the
     * agent reads too), undated: procServ's lines carry no time.
     */
    public Optional<ChildExit> lastExit() {
        for (int i = lines.size() - 1; i >= 0; i--) {
            Optional<ChildExit> exit = ChildExit.parse(lines.get(i), null);
            if (exit.isPresent()) {
                return exit;
            }
        }
        return Optional.empty();
    }
}
