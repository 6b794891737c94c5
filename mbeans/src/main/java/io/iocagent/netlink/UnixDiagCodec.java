package io.iocagent.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The wire format of a {@code unix_diag} dump: the request, and the decoding of each reply
 * datagram. Pure functions over bytes, so tests feed it hand-built datagrams.
 *
 * <p>Layouts ({@code linux/netlink.h}, {@code sock_diag.h}, {@code unix_diag.h}; host byte order):
 * <pre>
 * nlmsghdr      (16) len u32 @0, type u16 @4, flags u16 @6, seq u32 @8, pid u32 @12
 * nlmsgerr      (20) error s32 @0 (-errno, 0 = ack), offending nlmsghdr @4
 * unix_diag_req (24) family u8 @0, protocol u8 @1, pad u16 @2, states u32 @4, ino u32 @8,
 *                    show u32 @12, cookie u32[2] @16
 * unix_diag_msg (16) family u8 @0, type u8 @1, state u8 @2, pad u8 @3, ino u32 @4, cookie u32[2] @8
 * nlattr         (4) len u16 @0 (header included), type u16 @2; payload @4; next at (len+3)&~3
 * </pre>
 * Messages inside a datagram and attributes inside a message are 4-byte aligned.
 */
final class UnixDiagCodec {

    static final int NLMSG_HDRLEN = DiagFrames.NLMSG_HDRLEN;
    static final int NLMSG_NOOP = DiagFrames.NLMSG_NOOP;
    static final int NLMSG_ERROR = DiagFrames.NLMSG_ERROR;
    static final int NLMSG_DONE = DiagFrames.NLMSG_DONE;
    static final int SOCK_DIAG_BY_FAMILY = DiagFrames.SOCK_DIAG_BY_FAMILY;
    static final int NLM_F_REQUEST = DiagFrames.NLM_F_REQUEST;
    static final int NLM_F_DUMP = DiagFrames.NLM_F_DUMP;
    private static final String DUMP = "unix_diag";
    private static final String NO_MODULE = "The kernel has no unix_diag support (CONFIG_UNIX_DIAG, module unix_diag).";
    static final int AF_UNIX = 1;

    static final int UDIAG_SHOW_NAME = 0x01;
    static final int UDIAG_SHOW_VFS = 0x02;
    static final int UDIAG_SHOW_PEER = 0x04;
    static final int UDIAG_SHOW_ICONS = 0x08;
    static final int UDIAG_SHOW_RQLEN = 0x10;
    static final int UDIAG_SHOW_UID = 0x40;
    static final int SHOW_ALL = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_ICONS
            | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;

    /** Attribute types. Type 0 is a real attribute here (the name), unlike most netlink families. */
    static final int UNIX_DIAG_NAME = 0;
    static final int UNIX_DIAG_VFS = 1;
    static final int UNIX_DIAG_PEER = 2;
    static final int UNIX_DIAG_ICONS = 3;
    static final int UNIX_DIAG_RQLEN = 4;
    static final int UNIX_DIAG_UID = 7;

    static final int REQUEST_LENGTH = NLMSG_HDRLEN + 24;
    private static final int MSG_LENGTH = 16;
    /** Drops {@code NLA_F_NESTED} and {@code NLA_F_NET_BYTEORDER} from an attribute type. */
    private static final int NLA_TYPE_MASK = 0x3FFF;
    private static final int TCP_LISTEN = 10;

    private UnixDiagCodec() {
    }

    /** A dump request for every UNIX socket in every state, with the {@code show} attributes. */
    static byte[] dumpRequest(int seq, int show) {
        ByteBuffer b = ByteBuffer.allocate(REQUEST_LENGTH).order(ByteOrder.nativeOrder());
        b.putInt(REQUEST_LENGTH).putShort((short) SOCK_DIAG_BY_FAMILY)
                .putShort((short) (NLM_F_REQUEST | NLM_F_DUMP)).putInt(seq).putInt(0);
        b.put((byte) AF_UNIX).put((byte) 0).putShort((short) 0)
                .putInt(0xFFFFFFFF) // udiag_states: bit (1 << state) for every state
                .putInt(0)          // udiag_ino: 0 = all
                .putInt(show)
                .putInt(0xFFFFFFFF).putInt(0xFFFFFFFF); // cookie: "no cookie" (INET_DIAG_NOCOOKIE)
        return b.array();
    }

    /**
     * Decodes every message of one reply datagram (position 0 to limit, native byte order) and
     * appends the sockets to {@code out}. Messages with another sequence number are skipped.
     *
     * @return true when the datagram held {@code NLMSG_DONE}: the dump is complete
     * @throws NetlinkException for {@code NLMSG_ERROR} with an error, {@code NLMSG_DONE} carrying a
     *                          negative errno (the dump broke off), or lengths that do not add up
     */
    static boolean decode(ByteBuffer datagram, int seq, Charset pathCharset, List<UnixSocket> out)
            throws NetlinkException {
        return DiagFrames.decode(datagram, seq, DUMP, NO_MODULE,
                (b, from, to) -> out.add(socket(b, from, to, pathCharset)));
    }

    private static UnixSocket socket(ByteBuffer b, int msg, int end, Charset pathCharset) throws NetlinkException {
        if (end - msg < MSG_LENGTH) {
            throw malformed("a unix_diag_msg of " + (end - msg) + " bytes");
        }
        int type = b.get(msg + 1) & 0xFF;
        int state = b.get(msg + 2) & 0xFF;
        long inode = Integer.toUnsignedLong(b.getInt(msg + 4));
        boolean listening = state == TCP_LISTEN;

        Optional<String> path = Optional.empty();
        Optional<UnixSocket.SocketFile> file = Optional.empty();
        long peer = 0;
        int rqueue = 0;
        int wqueue = 0;
        OptionalInt uid = OptionalInt.empty();
        List<Long> icons = List.of();

        int at = msg + MSG_LENGTH;
        while (end - at >= 4) {
            int length = b.getShort(at) & 0xFFFF;
            if (length < 4 || length > end - at) {
                throw malformed("an attribute length of " + length + " for socket " + inode);
            }
            int payload = at + 4;
            int size = length - 4;
            switch (b.getShort(at + 2) & NLA_TYPE_MASK) {
                case UNIX_DIAG_NAME:
                    path = Optional.of(name(b, payload, size, pathCharset));
                    break;
                case UNIX_DIAG_VFS:
                    require(size >= 8, "UNIX_DIAG_VFS", size, inode);
                    file = Optional.of(UnixSocket.SocketFile.fromKernel(b.getInt(payload), b.getInt(payload + 4)));
                    break;
                case UNIX_DIAG_PEER:
                    require(size >= 4, "UNIX_DIAG_PEER", size, inode);
                    peer = Integer.toUnsignedLong(b.getInt(payload));
                    break;
                case UNIX_DIAG_ICONS:
                    icons = icons(b, payload, size);
                    break;
                case UNIX_DIAG_RQLEN:
                    require(size >= 8, "UNIX_DIAG_RQLEN", size, inode);
                    rqueue = b.getInt(payload);
                    wqueue = b.getInt(payload + 4);
                    break;
                case UNIX_DIAG_UID:
                    require(size >= 4, "UNIX_DIAG_UID", size, inode);
                    uid = OptionalInt.of(b.getInt(payload));
                    break;
                default:
                    break; // SHUTDOWN (always sent), MEMINFO, and anything newer
            }
            at += align(length);
        }
        return new UnixSocket(inode, UnixSocket.Type.of(type), UnixSocket.State.of(state), path, peer,
                listening ? rqueue : 0, listening ? wqueue : 0, listening ? 0 : rqueue, listening ? 0 : wqueue,
                uid, icons, file);
    }

    /**
     * {@code sun_path} bytes as text: a path ends at its first NUL (the kernel stores one after
     * it); an abstract name starts with NUL and is shown as {@code "@name"}, NULs inside it as
     * {@code '@'}, as {@code ss} does.
     */
    static String name(ByteBuffer b, int at, int size, Charset charset) {
        byte[] bytes = new byte[size];
        b.get(at, bytes);
        if (size > 0 && bytes[0] == 0) {
            for (int i = 0; i < size; i++) {
                if (bytes[i] == 0) {
                    bytes[i] = '@';
                }
            }
            return new String(bytes, charset);
        }
        int n = 0;
        while (n < size && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, charset);
    }

    private static List<Long> icons(ByteBuffer b, int at, int size) {
        Long[] inodes = new Long[size / 4];
        for (int i = 0; i < inodes.length; i++) {
            inodes[i] = Integer.toUnsignedLong(b.getInt(at + 4 * i));
        }
        return List.of(inodes);
    }

    private static int align(int length) {
        return DiagFrames.align(length);
    }

    private static void require(boolean ok, String attribute, int size, long inode) throws NetlinkException {
        if (!ok) {
            throw malformed("a " + size + "-byte " + attribute + " attribute for socket " + inode);
        }
    }

    private static NetlinkException malformed(String what) {
        return DiagFrames.malformed(DUMP, what);
    }
}
