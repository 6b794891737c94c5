package io.iocagent.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds netlink reply datagrams byte by byte from the documented layouts ({@code nlmsghdr},
 * {@code unix_diag_msg}, {@code nlattr}; host byte order, 4-byte alignment), as the kernel would
 * send them, so the decoder is tested without a kernel.
 */
final class Datagram {

    static final int SEQ = 4711;

    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.nativeOrder());
    private int messageStart = -1;

    /** Starts a {@code SOCK_DIAG_BY_FAMILY} message with a {@code unix_diag_msg}. */
    Datagram socket(int type, int state, long inode) {
        return socket(SEQ, type, state, inode);
    }

    Datagram socket(int seq, int type, int state, long inode) {
        header(UnixDiagCodec.SOCK_DIAG_BY_FAMILY, 0x2 /* NLM_F_MULTI */, seq);
        buf.put((byte) 1).put((byte) type).put((byte) state).put((byte) 0);
        buf.putInt((int) inode).putInt(0x1234).putInt(0x5678); // cookie
        return endMessage();
    }

    /**
     * Starts a {@code SOCK_DIAG_BY_FAMILY} message with an {@code inet_diag_msg}; {@code src} and
     * {@code dst} are 4 bytes (IPv4) or 16 (IPv6), ports in host order (written big-endian).
     */
    Datagram inet(int family, int state, byte[] src, int sport, byte[] dst, int dport, int rqueue, int wqueue,
                  long inode) {
        header(UnixDiagCodec.SOCK_DIAG_BY_FAMILY, 0x2 /* NLM_F_MULTI */, SEQ);
        buf.put((byte) family).put((byte) state).put((byte) 0).put((byte) 0);
        buf.put((byte) (sport >> 8)).put((byte) sport).put((byte) (dport >> 8)).put((byte) dport);
        buf.put(java.util.Arrays.copyOf(src, 16)).put(java.util.Arrays.copyOf(dst, 16));
        buf.putInt(0).putInt(0x1234).putInt(0x5678); // interface, cookie
        buf.putInt(0).putInt(rqueue).putInt(wqueue).putInt(1000).putInt((int) inode); // expires, queues, uid, inode
        return endMessage();
    }

    Datagram name(String path) {
        return attribute(UnixDiagCodec.UNIX_DIAG_NAME, (path + "\0").getBytes(StandardCharsets.UTF_8));
    }

    /** An abstract name: a leading NUL, no trailing one. */
    Datagram abstractName(String name) {
        return attribute(UnixDiagCodec.UNIX_DIAG_NAME, ("\0" + name).getBytes(StandardCharsets.UTF_8));
    }

    Datagram vfs(int inode, int kernelDev) {
        return attribute(UnixDiagCodec.UNIX_DIAG_VFS, ints(inode, kernelDev));
    }

    Datagram peer(long inode) {
        return attribute(UnixDiagCodec.UNIX_DIAG_PEER, ints((int) inode));
    }

    Datagram icons(int... inodes) {
        return attribute(UnixDiagCodec.UNIX_DIAG_ICONS, ints(inodes));
    }

    Datagram rqlen(int rqueue, int wqueue) {
        return attribute(UnixDiagCodec.UNIX_DIAG_RQLEN, ints(rqueue, wqueue));
    }

    Datagram uid(int uid) {
        return attribute(UnixDiagCodec.UNIX_DIAG_UID, ints(uid));
    }

    /** {@code UNIX_DIAG_SHUTDOWN}: one byte, so the next attribute needs 3 bytes of padding. */
    Datagram shutdown(int how) {
        return attribute(6, new byte[] {(byte) how});
    }

    Datagram attribute(int type, byte[] payload) {
        int length = 4 + payload.length;
        buf.putShort((short) length).putShort((short) type).put(payload);
        pad();
        return endMessage();
    }

    Datagram done(int status) {
        header(UnixDiagCodec.NLMSG_DONE, 0x2, SEQ);
        buf.putInt(status);
        return endMessage();
    }

    Datagram error(int error) {
        header(UnixDiagCodec.NLMSG_ERROR, 0, SEQ);
        buf.putInt(error);
        buf.putInt(40).putShort((short) 20).putShort((short) 0x301).putInt(SEQ).putInt(0); // offending header
        return endMessage();
    }

    Datagram noop() {
        header(UnixDiagCodec.NLMSG_NOOP, 0, SEQ);
        return endMessage();
    }

    /** Overwrites the length of the message being built, to forge a broken datagram. */
    Datagram forgeLength(int length) {
        buf.putInt(messageStart, length);
        return this;
    }

    /** The datagram as {@code recv} leaves it in the receive buffer: position 0, limit = length. */
    ByteBuffer bytes() {
        ByteBuffer copy = ByteBuffer.allocateDirect(buf.position()).order(ByteOrder.nativeOrder());
        copy.put(buf.duplicate().flip()).flip();
        return copy;
    }

    private void header(int type, int flags, int seq) {
        messageStart = buf.position();
        buf.putInt(16).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
    }

    /** Sets the current message's length to everything written since its header. */
    private Datagram endMessage() {
        buf.putInt(messageStart, buf.position() - messageStart);
        return this;
    }

    private void pad() {
        while (buf.position() % 4 != 0) {
            buf.put((byte) 0);
        }
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.nativeOrder());
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }
}
