package io.iocagent.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A file opened without following a symbolic link in its last component ({@code O_NOFOLLOW}),
 * with the attributes of exactly what was opened: they are read through
 * {@code /proc/self/fd/N}, so a file swapped at the path after the open cannot be mistaken for
 * the one held. Opens never block ({@code O_NONBLOCK}): a FIFO planted where a file was expected
 * is opened and then refused as "not a regular file" instead of hanging the caller.
 *
 * <p>This is how the agent and the command line open every file another user could have planted
 * a link or a FIFO at: confs a caller names, {@code .iocsh_history}, procServ logs. The caller
 * checks {@link #isRegularFile()}, the owner and the size before it reads or changes anything.
 *
 * <p><b>Two ways to open, one rule.</b> By default every open is the native one above. A short-lived
 * command line may call {@link #allowWaitingOpens()} once: a plain {@link #open(Path)} of what
 * {@code lstat} shows to be a regular file is then made by the JDK ({@code O_NOFOLLOW}, no native
 * library: loading JNA costs a command ~190 ms of CPU, more than the rest of {@code list} at 200
 * IOCs), and the path is checked again after the open, so a file swapped meanwhile is refused. What
 * is given up: a FIFO renamed over the file between the check and the open makes the command wait
 * for a writer, which its user sees and interrupts (Ctrl-C); only a user who can write the directory
 * can do that, and they could change the file itself. A daemon never calls it: it must not wait.
 * Directories, FIFOs and anything else not a regular file still take the native path.
 *
 * <p>Not thread-safe; close it (the descriptor is not otherwise released).
 */
public final class NoFollowFile implements Closeable {

    private static final int O_RDONLY = 0;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    /** asm-generic value; arm, arm64 and powerpc define their own (asm/fcntl.h). */
    private static final int O_NOFOLLOW = nofollowFlag(System.getProperty("os.arch", ""));

    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EEXIST = 17;
    private static final int ELOOP = 40;

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int open(String path, int flags, int mode) throws LastErrorException;

        int openat(int dirfd, String path, int flags, int mode) throws LastErrorException;

        int fchmod(int fd, int mode) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        String strerror(int errno);
    }

    /** The attributes read of a path or a descriptor: type and permissions, owner, links, size, inode, device. */
    private static final String ATTRIBUTES = "unix:mode,uid,gid,nlink,size,ino,dev";

    private static volatile boolean waitingOpensAllowed;

    private final Path path;
    /** The native descriptor, or -1 when the JDK opened the file ({@link #held}). */
    private final int fd;
    /** The JDK's channel of the file, or null when it was opened natively. */
    private final FileChannel held;
    private final Map<String, Object> attributes;
    private boolean created;
    private boolean closed;

    private NoFollowFile(Path path, FileChannel held, Map<String, Object> attributes) {
        this.path = path;
        this.fd = -1;
        this.held = held;
        this.attributes = attributes;
    }

    private NoFollowFile(Path path, int fd) throws IOException {
        this.path = path;
        this.fd = fd;
        this.held = null;
        try {
            this.attributes = Files.readAttributes(descriptorPath(), ATTRIBUTES);
        } catch (IOException | RuntimeException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
    }

    /**
     * Opens {@code path} for reading.
     *
     * @throws NotFollowedException when the last component is a symbolic link
     * @throws NoSuchFileException  when nothing is there
     * @throws IOException          for any other failure, naming the path and the reason
     */
    public static NoFollowFile open(Path path) throws IOException {
        if (waitingOpensAllowed) {
            Map<String, Object> seen = lstat(path);
            if (isRegularFile(seen)) {
                return openByJdk(path, seen);
            }
        }
        return new NoFollowFile(path, call(path, O_RDONLY, 0));
    }

    /**
     * Lets {@link #open(Path)} take the JDK's path for regular files in this process (see the class
     * comment): for a command line that ends in a moment and that its user can interrupt, never for
     * the agent.
     */
    public static void allowWaitingOpens() {
        waitingOpensAllowed = true;
    }

    /** Back to native opens only (the default); for tests that tried both ways in one JVM. */
    static void nativeOpensOnly() {
        waitingOpensAllowed = false;
    }

    /** The attributes of what the path names itself, link or not (NoSuchFile, AccessDenied as the native open). */
    static Map<String, Object> lstat(Path path) throws IOException {
        return Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    }

    /** The JDK's open of a path {@code seen} (its {@link #lstat}) showed to be a regular file. */
    static NoFollowFile openByJdk(Path path, Map<String, Object> seen) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            throw e; // NoSuchFile, AccessDenied as the native open
        } catch (IOException e) {
            // ELOOP: a link was swapped in; the JDK says "Too many levels of symbolic links (NOFOLLOW_LINKS specified)"
            if (String.valueOf(e.getMessage()).contains("symbolic link")) {
                throw new NotFollowedException(path.toString());
            }
            throw e;
        }
        try {
            Map<String, Object> after = lstat(path);
            if (!after.get("ino").equals(seen.get("ino")) || !after.get("dev").equals(seen.get("dev"))
                    || !isRegularFile(after)) {
                throw new FileSystemException(path.toString(), null, "was replaced while it was being opened");
            }
            return new NoFollowFile(path, channel, after);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens {@code path}, creating it with {@code createMode} (reduced by the umask) when it does not
     * exist. A symbolic link at {@code path} is never followed, dangling or not.
     *
     * @return the open file; {@link #created()} says whether it was made by this call
     */
    public static NoFollowFile openOrCreate(Path path, int createMode) throws IOException {
        try {
            return new NoFollowFile(path, call(path, O_RDONLY | O_CREAT | O_EXCL, createMode)).markCreated();
        } catch (FileAlreadyThereException e) {
            return open(path);
        }
    }

    /**
     * Opens {@code name}, one path component (no {@code '/'}), inside this directory
     * ({@code openat}), not following a symbolic link: a walk from a trusted directory down to a
     * file, one component at a time, cannot be diverted by a link planted on the way.
     */
    public NoFollowFile openIn(String name) throws IOException {
        if (held != null) {
            throw new IllegalStateException(path + " is not an open directory");
        }
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a single path component: '" + name + "'");
        }
        Path child = path.resolve(name);
        try {
            return new NoFollowFile(child, LibC.INSTANCE.openat(fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0));
        } catch (LastErrorException e) {
            throw failure(child, e.getErrorCode());
        }
    }

    private NoFollowFile markCreated() {
        created = true;
        return this;
    }

    /** True when {@link #openOrCreate} created the file. */
    public boolean created() {
        return created;
    }

    public Path path() {
        return path;
    }

    public boolean isRegularFile() {
        return isRegularFile(attributes);
    }

    private static boolean isRegularFile(Map<String, Object> attributes) {
        return (((Integer) attributes.get("mode")) & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode() & S_IFMT) == S_IFDIR;
    }

    /** The permission bits, e.g. {@code 0640}. */
    public int permissions() {
        return mode() & 07777;
    }

    public int ownerUid() {
        return (Integer) attributes.get("uid");
    }

    public int groupId() {
        return (Integer) attributes.get("gid");
    }

    /** How many names the file has; a procServ log or a conf has exactly one. */
    public int links() {
        return ((Number) attributes.get("nlink")).intValue();
    }

    public long size() {
        return (Long) attributes.get("size");
    }

    public long inode() {
        return ((Number) attributes.get("ino")).longValue();
    }

    /**
     * At most {@code limit + 1} bytes from the start of the file: one more than the limit, so a
     * caller can tell "exactly at the limit" from "larger". Never reads further, however large the
     * file is or grows.
     */
    public byte[] readAtMost(int limit) throws IOException {
        if (held != null) {
            return readAtMost(held.position(0), limit, size()); // the one channel stays open until close()
        }
        try (FileChannel ch = channel()) {
            return readAtMost(ch, limit, size());
        }
    }

    /**
     * The buffer starts at the size the file had when it was opened (plus the one byte that tells
     * "grew" from "ended") and doubles only while the file goes on: a 300-byte conf read under a
     * 64 KiB limit allocates a few hundred bytes, not 64 KiB twice (heap buffer and the JDK's
     * direct copy), which cost {@code list} at 200 IOCs ~40 ms of CPU and several collections.
     */
    private static byte[] readAtMost(FileChannel ch, int limit, long sizeAtOpen) throws IOException {
        int capacity = (int) Math.min(limit + 1L, Math.max(0L, sizeAtOpen) + 1L);
        ByteBuffer buf = ByteBuffer.allocate(Math.max(capacity, 1));
        while (ch.read(buf) >= 0) {
            if (!buf.hasRemaining()) {
                if (buf.capacity() > limit) {
                    break; // one byte past the limit: the caller sees a file too large
                }
                ByteBuffer larger = ByteBuffer.allocate((int) Math.min(limit + 1L, 2L * buf.capacity()));
                larger.put(buf.flip());
                buf = larger;
            }
        }
        byte[] out = new byte[buf.position()];
        buf.flip().get(out);
        return out;
    }

    /**
     * A channel reading the very file held from its start: opened again through
     * {@code /proc/self/fd}, or, for a file the JDK opened, its one channel (closing either closes
     * the file for reading).
     */
    public FileChannel channel() throws IOException {
        if (held != null) {
            return held.position(0);
        }
        return FileChannel.open(descriptorPath(), StandardOpenOption.READ);
    }

    /** Sets the permission bits of the file held ({@code fchmod}), whatever the path now names. */
    public void chmod(int permissions) throws IOException {
        if (held != null) {
            throw new IllegalStateException("chmod needs a native descriptor; " + path + " was opened for reading only");
        }
        try {
            LibC.INSTANCE.fchmod(fd, permissions);
        } catch (LastErrorException e) {
            throw failure(path, e.getErrorCode());
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (held != null) {
                try {
                    held.close();
                } catch (IOException e) {
                    // closing a file opened for reading reports nothing we could act on
                }
                return;
            }
            try {
                LibC.INSTANCE.close(fd);
            } catch (LastErrorException e) {
                // close(2) on a read-only descriptor reports nothing we could act on.
            }
        }
    }

    private int mode() {
        return (Integer) attributes.get("mode");
    }

    private Path descriptorPath() {
        return Path.of("/proc/self/fd/" + fd);
    }

    private static int call(Path path, int flags, int mode) throws IOException {
        try {
            return LibC.INSTANCE.open(path.toString(), flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EEXIST) {
                throw new FileAlreadyThereException(path.toString());
            }
            throw failure(path, e.getErrorCode());
        }
    }

    private static IOException failure(Path path, int errno) {
        return switch (errno) {
            case ELOOP -> new NotFollowedException(path.toString());
            case ENOENT -> new NoSuchFileException(path.toString());
            case EACCES -> new AccessDeniedException(path.toString());
            default -> new FileSystemException(path.toString(), null, LibC.INSTANCE.strerror(errno));
        };
    }

    static int nofollowFlag(String arch) {
        return arch.startsWith("aarch64") || arch.startsWith("arm") || arch.startsWith("ppc") ? 0100000 : 0400000;
    }

    /** The last component of the path is a symbolic link, which was not followed. */
    public static final class NotFollowedException extends FileSystemException {
        private static final long serialVersionUID = 1L;

        NotFollowedException(String file) {
            super(file, null, "is a symbolic link, which is not followed");
        }
    }

    private static final class FileAlreadyThereException extends FileSystemException {
        private static final long serialVersionUID = 1L;

        FileAlreadyThereException(String file) {
            super(file);
        }
    }
}
