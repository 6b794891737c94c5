package io.iocagent.procserv;

import java.util.Arrays;
import java.util.Objects;

/**
 * A place in a log file that can tell whether the file is still the one it was taken in:
 * the byte offset, the file's inode, and a SHA-256 of the (up to) 64 bytes ending at the offset.
 *
 * <p>The seed's rotation rules: the position is stale when the inode changed (rename-style
 * rotation), when the file is now shorter than the offset (copytruncate), or when the bytes before
 * the offset changed (truncated, then grown past the old offset again).
 *
 * @param offset   bytes of the file already consumed
 * @param inode    the file's inode, or -1 when the file did not exist
 * @param tailHash SHA-256 of the bytes {@code [max(0, offset-64), offset)}, empty at offset 0
 */
public record LogPosition(long offset, long inode, byte[] tailHash) {

    /** Position of a file that does not exist yet: everything it will contain is new. */
    public static final LogPosition MISSING = new LogPosition(0, -1, new byte[0]);

    public LogPosition {
        tailHash = tailHash.clone();
    }

    @Override
    public byte[] tailHash() {
        return tailHash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogPosition p && p.offset == offset && p.inode == inode && Arrays.equals(p.tailHash, tailHash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, inode, Arrays.hashCode(tailHash));
    }

    @Override
    public String toString() {
        return "LogPosition[offset=" + offset + ", inode=" + inode + "]";
    }
}
