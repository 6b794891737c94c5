package io.iocagent.procserv;

import io.iocagent.crash.ChildExit;
import io.iocagent.crash.CrashPatterns;
import io.iocagent.posix.NoFollowFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows one procServ log file from a {@link LogPosition}, turning each new complete line into
 * {@link LogEvent}s. Survives rotation and truncation: when the position no longer belongs to the
 * file (inode changed, file shorter than the offset, or the 64 bytes before the offset changed),
 * reading starts again at offset 0 of the file now at that path and the batch says so; a file
 * renamed away is read on until procServ writes into the new one ({@link #drainRenamed}).
 *
 * <p>Only complete lines are consumed; a last line without its newline (procServ's
 * {@code epics> } prompt, for instance) is read again on the next poll once it is complete.
 * Lines are decoded as ISO-8859-1, so character offsets are byte offsets; procServ's CR LF endings
 * are stripped.
 *
 * <p><b>A settled log is not opened.</b> A poll first asks {@code lstat} for the file's device,
 * inode, size and change time ({@code ctime}, which every write, truncation, {@code chmod},
 * {@code chown} and {@code link} moves and no caller can set): when they are what they were when an
 * earlier poll had consumed the file to its end, nothing was written since and the poll returns
 * at once. That stamp is only trusted when its change time was at least {@link #SETTLED_MILLIS}
 * old when it was taken, as git trusts an index entry only when the file is older than the index:
 * a rewrite within the same kernel clock tick as the last write would keep the change time, so a
 * log written in the last second is still opened and checked (inode, tail hash) at every poll.
 * At 1,000 idle IOCs this is one {@code lstat} per IOC per poll instead of an open, two reads and a
 * SHA-256.
 *
 * <p>Not thread-safe: one owner polls it. The agent runs one per IOC, all the time; the start
 * verdict runs one for the duration of a start.
 */
public final class LogReader {

    /** The seed fingerprints the 64 bytes before the offset. */
    static final int TAIL_BYTES = 64;

    /** Upper bound of one read, so a huge backlog is consumed in slices, not one allocation. */
    private static final int READ_SLICE = 1 << 20;

    /** How old a log's change time must be for a poll to trust that an unchanged stamp means an unchanged file. */
    static final long SETTLED_MILLIS = 1_000;

    private static final String STAMP_ATTRIBUTES = "unix:dev,ino,size,ctime";

    private static final Pattern NEW_CHILD = Pattern.compile("@@@ The PID of new child \"[^\"]*\" is: (\\d+)");

    private final LogFile file;
    private final Optional<Pattern> extra;
    private LogPosition position;
    /** Where reading stopped in a log renamed away that procServ may still write into; null when none. */
    private LogPosition renamed;
    /** The settled stamp ({@link #STAMP_ATTRIBUTES}) of the file when a poll last consumed it to its end; null when none. */
    private Map<String, Object> consumed;
    private long opened;

    /**
     * @param file  the procServ log ({@code LOG_DIR/NAME.log}) and its owner
     * @param from  where to start; {@link LogPosition#MISSING} or an offset-0 position reads it all
     * @param extra the IOC's usable {@code CRASH_LOG_PATTERNS_EXTRA}, if any
     */
    public LogReader(LogFile file, LogPosition from, Optional<Pattern> extra) {
        this.file = file;
        this.position = from;
        this.extra = extra;
    }

    /** What one poll found. */
    public record Batch(List<LogEvent> events, boolean restarted) {
    }

    /** Reads {@code file} whoever owns it (tests of the event logic only). */
    LogReader(Path file, LogPosition from, Optional<Pattern> extra) {
        this(LogFile.anyOwner(file), from, extra);
    }

    /** The current end of {@code file} as a position: everything written after it is new. */
    public static LogPosition endOf(LogFile file) throws IOException {
        try (NoFollowFile f = file.open(); FileChannel ch = f.channel()) {
            long size = ch.size();
            return new LogPosition(size, f.inode(), tailHash(ch, size));
        } catch (NoSuchFileException e) {
            return LogPosition.MISSING;
        }
    }

    /** Where the next poll continues. */
    public LogPosition position() {
        return position;
    }

    public Path file() {
        return file.path();
    }

    /**
     * Reads what was appended since the last poll.
     *
     * @throws IOException when the file exists but cannot be read (permissions), or is not one
     *                     to read ({@link LogFile.NotReadableException})
     */
    public Batch poll() throws IOException {
        Map<String, Object> stamp = stamp();
        if (stamp != null && stamp.equals(consumed) && renamed == null) {
            return new Batch(List.of(), false);
        }
        consumed = null;
        List<LogEvent> events = new ArrayList<>();
        boolean restarted = false;
        opened++;
        try (NoFollowFile f = file.open(); FileChannel ch = f.channel()) {
            long inode = f.inode();
            long size = ch.size();
            if (isStale(ch, inode, size)) {
                if (position.inode() != -1 && inode != position.inode() && position.offset() > 0) {
                    renamed = position; // renamed away: procServ may still be writing into it
                }
                position = new LogPosition(0, inode, new byte[0]);
                restarted = true;
            }
            if (renamed != null && !drainRenamed(events) && size > 0) {
                renamed = null; // procServ writes into the new file now, and the old one is read to its end
            }
            long offset = read(ch, position.offset(), size, events);
            if (offset != position.offset() || inode != position.inode()) {
                position = new LogPosition(offset, inode, tailHash(ch, offset));
            } // else nothing was consumed from the same file: the position, checked above, stands
            if (stamp != null && renamed == null && settled(stamp) && stamp.get("ino") instanceof Long ino
                    && ino == inode && stamp.get("size") instanceof Long stampSize && stampSize == offset) {
                consumed = stamp; // the file as it was before it was opened, read to its end
            }
        } catch (NoSuchFileException e) {
            // Not created yet, or rotated away and not recreated: nothing new to read.
        }
        return new Batch(events, restarted);
    }

    /** How many polls opened the file (the others found it unchanged since it was read to its end); for tests. */
    long opened() {
        return opened;
    }

    /** Device, inode, size and change time of the path itself (a link is not followed); null when it cannot be asked. */
    private Map<String, Object> stamp() {
        try {
            return Files.readAttributes(file.path(), STAMP_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return null; // the full poll says what is wrong
        }
    }

    private static boolean settled(Map<String, Object> stamp) {
        return stamp.get("ctime") instanceof FileTime changed
                && System.currentTimeMillis() - changed.to(TimeUnit.MILLISECONDS) >= SETTLED_MILLIS;
    }

    /** Classifies the complete lines between {@code offset} and {@code size}; returns the offset after the last. */
    private long read(FileChannel ch, long offset, long size, List<LogEvent> events) throws IOException {
        byte[] carry = new byte[0];
        while (offset + carry.length < size) {
            int want = (int) Math.min(READ_SLICE, size - offset - carry.length);
            ByteBuffer buf = ByteBuffer.allocate(carry.length + want);
            buf.put(carry);
            readFully(ch, buf, offset + carry.length);
            byte[] bytes = buf.array();
            int consumed = scan(bytes, offset, events);
            offset += consumed;
            carry = Arrays.copyOfRange(bytes, consumed, bytes.length);
        }
        return offset;
    }

    /**
     * Reads on in a log renamed away. logrotate's {@code create} mode renames {@code NAME.log} to
     * {@code NAME.log.1} and procServ writes on into it until a SIGHUP (postrotate) makes it reopen
     * the path, so a death written between the rename and the reopen is in the old file. Until
     * procServ has written into the new file, each poll first reads what was appended to the old
     * one: the sibling {@code NAME.log.*} with its inode, still unchanged up to where reading
     * stopped, which passes the same checks as the log. One directory listing per poll, and only
     * while a rotation is under way.
     *
     * @return true when the old file had something new; false when it had not or is gone
     */
    private boolean drainRenamed(List<LogEvent> events) {
        Path dir = file.path().toAbsolutePath().getParent();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir, file.path().getFileName() + ".*")) {
            for (Path sibling : siblings) {
                try (NoFollowFile f = new LogFile(sibling, file.ownerUid(), file.owner()).open();
                     FileChannel ch = f.channel()) {
                    if (f.inode() != renamed.inode()) {
                        continue;
                    }
                    long size = ch.size();
                    if (size <= renamed.offset() || !Arrays.equals(tailHash(ch, renamed.offset()), renamed.tailHash())) {
                        return false;
                    }
                    long offset = read(ch, renamed.offset(), size, events);
                    boolean grew = offset > renamed.offset();
                    renamed = new LogPosition(offset, renamed.inode(), tailHash(ch, offset));
                    return grew;
                } catch (IOException e) {
                    // not a log to read (or gone meanwhile): look on
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // the directory cannot be listed: what the renamed file still gets is lost, as before
        }
        renamed = null;
        return false;
    }

    private boolean isStale(FileChannel ch, long inode, long size) throws IOException {
        if (position.inode() != -1 && inode != position.inode()) {
            return true;
        }
        if (size < position.offset()) {
            return true;
        }
        return position.offset() > 0 && !Arrays.equals(tailHash(ch, position.offset()), position.tailHash());
    }

    /** Classifies every complete line in {@code bytes}; returns how many bytes they span. */
    private int scan(byte[] bytes, long base, List<LogEvent> out) {
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
                classify(base + start, new String(bytes, start, end - start, StandardCharsets.ISO_8859_1), out);
                start = i + 1;
            }
        }
        return start;
    }

    /** The events one line carries, in a fixed order (a line can carry several). */
    void classify(long offset, String line, List<LogEvent> out) {
        Matcher child = NEW_CHILD.matcher(line);
        if (child.find()) {
            out.add(new LogEvent.ChildStarted(offset, Integer.parseInt(child.group(1))));
        }
        ChildExit.parse(line, null).ifPresent(exit -> out.add(new LogEvent.ChildExited(offset, exit)));
        if (line.contains(CrashPatterns.DEATH_BANNER)) {
            out.add(new LogEvent.ChildShuttingDown(offset));
        }
        if (line.contains(CrashPatterns.READINESS_MARKER)) {
            out.add(new LogEvent.InitComplete(offset));
        }
        // Crash tokens are judged on the IOC's own output only: procServ's "@@@" messages quote the
        // IOC's name, and a name like "fatal-x" must not read as a FATAL token. Text before the
        // first "@@@" (an "epics> " prompt sharing the line) is still the IOC's.
        int procServ = line.indexOf("@@@");
        String output = procServ < 0 ? line : line.substring(0, procServ);
        if (!output.isBlank() && !CrashPatterns.isExcluded(output)) {
            if (CrashPatterns.isFatal(output)) {
                out.add(new LogEvent.FatalToken(offset, line));
            } else if (CrashPatterns.isCorroborating(output, extra)) {
                out.add(new LogEvent.ErrorToken(offset, line));
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        long pos = at;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("file shrank while reading at offset " + pos);
            }
            pos += n;
        }
    }

    private static byte[] tailHash(FileChannel ch, long end) throws IOException {
        if (end <= 0) {
            return new byte[0];
        }
        int len = (int) Math.min(TAIL_BYTES, end);
        ByteBuffer buf = ByteBuffer.allocate(len);
        long pos = end - len;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                return new byte[0]; // shorter than the offset: the next poll sees the truncation
            }
            pos += n;
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(buf.array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
