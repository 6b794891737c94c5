package io.iocagent.agent;

import io.iocagent.ops.AuditLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.Set;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sends the audit log ({@value AuditLog#LOGGER}) to its own file as well: one line per event,
 * each starting with its ISO-8601 time and zone ({@code 2026-12-03T09:41:07.123+01:00}).
 *
 * <p>The file holds error texts and operation results, so: it is opened append-only without
 * following a symbolic link ({@code O_NOFOLLOW}), created {@value #MODE}, and must be a regular
 * file owned by the agent's user; an existing file readable by others is narrowed to
 * {@value #MODE} (the group, {@code ioc-agent} under the system unit, keeps read access for
 * log collectors). Anything else refuses the start with a message naming the file.
 * Each line is written and flushed as one {@code write}, so lines of concurrent events never mix.
 */
final class AuditFile extends Handler {

    static final String MODE = "rw-r-----";
    private static final Set<PosixFilePermission> ALLOWED = PosixFilePermissions.fromString(MODE);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    /** Held so java.util.logging cannot drop the configured logger. */
    private static final Logger AUDIT = Logger.getLogger(AuditLog.LOGGER);

    private final Path file;
    private final OutputStream out;

    private AuditFile(Path file, OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Opens {@code file} as described above and attaches it to the audit logger.
     *
     * @throws IOException naming the file: a symbolic link, not a regular file, owned by another user
     */
    static void attach(Path file) throws IOException {
        AUDIT.addHandler(open(file));
    }

    static AuditFile open(Path file) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(ALLOWED));
        } catch (IOException e) {
            if (Files.isSymbolicLink(file)) {
                throw new IOException("The audit log " + file + " is a symbolic link; the agent does not follow links"
                        + " for its audit log.\n  -> Point audit.log at a regular file.", e);
            }
            throw new IOException("Cannot open the audit log " + file + ": " + e, e);
        }
        try {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new IOException("The audit log " + file + " is not a regular file.");
            }
            Object owner = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            Object self = ownUid();
            if (self != null && !owner.equals(self)) {
                throw new IOException("The audit log " + file + " belongs to uid " + owner + ", not to the agent's user (uid "
                        + self + ").\n  -> Remove it or chown it to the agent's user.");
            }
            Set<PosixFilePermission> wider = EnumSet.copyOf(a.permissions());
            wider.removeAll(ALLOWED);
            if (!wider.isEmpty()) {
                Set<PosixFilePermission> narrowed = EnumSet.copyOf(a.permissions());
                narrowed.retainAll(ALLOWED);
                Files.setPosixFilePermissions(file, narrowed);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new AuditFile(file, Channels.newOutputStream(channel));
    }

    /** The process's effective uid: the owner of its {@code /proc/self} directory; null without /proc. */
    private static Object ownUid() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String line(LogRecord r) {
        return OffsetDateTime.ofInstant(r.getInstant(), ZoneId.systemDefault()).format(TIME) + " " + r.getMessage()
                + System.lineSeparator();
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        try {
            out.write(line(record).getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            reportError("Cannot write the audit log " + file, e, ErrorManager.WRITE_FAILURE);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            reportError("Cannot close the audit log " + file, e, ErrorManager.CLOSE_FAILURE);
        }
    }
}
