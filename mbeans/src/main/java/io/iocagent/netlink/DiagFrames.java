package io.iocagent.netlink;

import java.nio.ByteBuffer;

/**
 * The netlink framing of a {@code sock_diag} dump answer, shared by every family: walks the
 * messages of one reply datagram, ends the dump at {@code NLMSG_DONE}, turns {@code NLMSG_ERROR}
 * into a {@link NetlinkException} and hands each {@code SOCK_DIAG_BY_FAMILY} message body to the
 * family's decoder. Pure functions over bytes.
 *
 * <p>Layouts ({@code linux/netlink.h}; host byte order): {@code nlmsghdr} (16) len u32 @0, type
 * u16 @4, flags u16 @6, seq u32 @8, pid u32 @12; {@code nlmsgerr} error s32 @0 (-errno, 0 = ack).
 * Messages inside a datagram are 4-byte aligned.
 */
final class DiagFrames {

    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int SOCK_DIAG_BY_FAMILY = 20;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_DUMP = 0x300;

    private static final int ENOENT = 2;

    /** Decodes one {@code SOCK_DIAG_BY_FAMILY} message body, {@code from} (inclusive) to {@code to}. */
    interface Body {
        void accept(ByteBuffer datagram, int from, int to) throws NetlinkException;
    }

    private DiagFrames() {
    }

    /**
     * Walks every message of one reply datagram (position 0 to limit, native byte order). Messages
     * with another sequence number are skipped.
     *
     * @param dump     the dump's name for messages, e.g. {@code "unix_diag"}
     * @param noModule the hint when the kernel answers {@code ENOENT} (the family's diag module is missing)
     * @return true when the datagram held {@code NLMSG_DONE}: the dump is complete
     * @throws NetlinkException for {@code NLMSG_ERROR} with an error, {@code NLMSG_DONE} carrying a
     *                          negative errno (the dump broke off), or lengths that do not add up
     */
    static boolean decode(ByteBuffer datagram, int seq, String dump, String noModule, Body body)
            throws NetlinkException {
        int end = datagram.limit();
        int at = 0;
        while (end - at >= NLMSG_HDRLEN) {
            int length = datagram.getInt(at);
            if (length < NLMSG_HDRLEN || length > end - at) {
                throw malformed(dump, "a message length of " + length + " at offset " + at + " of a " + end
                        + "-byte datagram");
            }
            int type = datagram.getShort(at + 4) & 0xFFFF;
            if (datagram.getInt(at + 8) == seq) {
                switch (type) {
                    case NLMSG_DONE:
                        // The kernel puts the dump's final status (0 or -errno) after the header.
                        int status = length >= NLMSG_HDRLEN + 4 ? datagram.getInt(at + NLMSG_HDRLEN) : 0;
                        if (status < 0) {
                            throw refused("broke off the " + dump + " dump", -status, noModule);
                        }
                        return true;
                    case NLMSG_ERROR:
                        if (length < NLMSG_HDRLEN + 4) {
                            throw malformed(dump, "an NLMSG_ERROR message of " + length + " bytes");
                        }
                        int error = datagram.getInt(at + NLMSG_HDRLEN);
                        if (error != 0) {
                            throw refused("refused the " + dump + " dump", -error, noModule);
                        }
                        break; // error 0 is an acknowledgement
                    case SOCK_DIAG_BY_FAMILY:
                        body.accept(datagram, at + NLMSG_HDRLEN, at + length);
                        break;
                    default:
                        break; // NLMSG_NOOP and anything newer carry no socket
                }
            }
            at += align(length);
        }
        if (at < end) {
            throw malformed(dump, (end - at) + " trailing bytes after the last message");
        }
        return false;
    }

    static int align(int length) {
        return (length + 3) & ~3;
    }

    static NetlinkException malformed(String dump, String what) {
        return new NetlinkException("Malformed " + dump + " answer from the kernel: " + what + ".", 0);
    }

    private static NetlinkException refused(String what, int errno, String noModule) {
        String hint = errno == ENOENT ? " -> " + noModule : "";
        return new NetlinkException("The kernel " + what + ": " + NetlinkSocket.describe(errno) + "." + hint, errno);
    }
}
