package io.iocagent.conf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;

/**
 * Replacing a file so that a reader (systemd loading a unit, an IOC start reading its conf) sees
 * either the complete old content or the complete new one, even if the writer is killed midway
 * (seed §6.7, #107: install was killed 120 times and the conf had to stay whole).
 *
 * <p>The content is staged in a uniquely named sibling ({@code <name>.<random>}) on the same file
 * system, flushed to disk, renamed over the target, and the directory is flushed so the rename
 * survives a crash. The staged file never has more permissions than the final ones.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * Atomically replaces (or creates) {@code target} with {@code content} and exactly
     * {@code permissions} (not reduced by the umask). The file's group is whatever the directory
     * gives new files (the setgid conf directory gives {@code ioc}). If staging or the rename fails,
     * the staged file is removed and {@code target} is unchanged; if only the final directory flush
     * fails, {@code target} already has the new content but may not survive a power loss.
     *
     * @throws IOException naming the file that failed, e.g. when the directory is not writable
     */
    public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions)
            throws IOException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        Path staged = Files.createTempFile(directory, absolute.getFileName() + ".", "",
                PosixFilePermissions.asFileAttribute(permissions));
        try {
            // Never through a link: in a directory others may write, the staged name could be swapped.
            Files.getFileAttributeView(staged, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(permissions);
            try (FileChannel channel = FileChannel.open(staged, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(staged, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(staged);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /**
     * True when {@code existing} is a file holding exactly {@code candidate}; false when it does not
     * exist. Lets deploys skip identical files (no mtime change, no backup, no daemon-reload).
     */
    public static boolean sameContent(Path existing, byte[] candidate) throws IOException {
        try {
            return Files.size(existing) == candidate.length
                    && Arrays.equals(Files.readAllBytes(existing), candidate);
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
