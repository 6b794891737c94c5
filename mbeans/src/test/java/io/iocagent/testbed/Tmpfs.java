package io.iocagent.testbed;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A small tmpfs mounted over a directory, for a disk-full fault: {@link #fill()} writes a filler
 * file until the file system refuses ({@code ENOSPC}), {@link #free()} deletes it. A real file
 * system running out of space, not a simulated error. Mounting needs root; elsewhere
 * {@link #mount} skips or fails the test as {@link TestBed#requireOrSkip} does. {@link #close()}
 * unmounts lazily, so a process still holding a file there (procServ's log) does not block it.
 */
public final class Tmpfs implements AutoCloseable {

    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code bytes} over {@code dir} (which must exist), hiding what was there. */
    public static Tmpfs mount(Path dir, long bytes) {
        boolean root = "0".equals(IsolatedUserManager.output(List.of("id", "-u")).trim());
        TestBed.requireOrSkip(root, "mounting a tmpfs (disk-full fault) needs root");
        String out = IsolatedUserManager.output(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755", "tmpfs", dir.toString()));
        TestBed.requireOrSkip(isMountPoint(dir), "cannot mount a tmpfs over " + dir + ": " + out.trim());
        return new Tmpfs(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Writes a filler file until the file system is full; returns the bytes it took. */
    public long fill() {
        long written = 0;
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler())) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw new UncheckedIOException("filling " + dir + " ended otherwise than with ENOSPC", e);
            }
        }
        return written;
    }

    /** Deletes the filler: there is room again. */
    public void free() {
        try {
            Files.deleteIfExists(filler());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path filler() {
        return dir.resolve(".disk-full-filler");
    }

    @Override
    public void close() {
        IsolatedUserManager.output(List.of("umount", "--lazy", dir.toString()));
    }

    private static boolean isMountPoint(Path dir) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8).stream()
                    .map(l -> l.split(" "))
                    .anyMatch(f -> f.length > 2 && f[1].equals(dir.toAbsolutePath().toString()) && f[2].equals("tmpfs"));
        } catch (IOException e) {
            return false;
        }
    }
}
