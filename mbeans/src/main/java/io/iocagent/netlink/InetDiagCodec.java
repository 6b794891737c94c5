package io.iocagent.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The wire format of an {@code inet_diag} dump: the request, and the decoding of each reply
 * message. Pure functions over bytes, so tests feed it hand-built datagrams.
 *
 * <p>Layouts ({@code linux/inet_diag.h}; host byte order unless marked big-endian):
 * <pre>
 * inet_diag_sockid (48) sport be16 @0, dport be16 @2, src be32[4] @4, dst be32[4] @20, if u32 @36,
 *                       cookie u32[2] @40
 * inet_diag_req_v2 (56) family u8 @0, protocol u8 @1, ext u8 @2, pad u8 @3, states u32 @4, sockid @8
 * inet_diag_msg    (72) family u8 @0, state u8 @1, timer u8 @2, retrans u8 @3, sockid @4,
 *                       expires u32 @52, rqueue u32 @56, wqueue u32 @60, uid u32 @64, inode u32 @68
 * </pre>
 * An IPv4 address fills the first 4 bytes of its 16-byte field. Attributes after the message are
 * not asked for ({@code ext} 0) and are skipped.
 */
final class InetDiagCodec {

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    /** {@code 1 << TCP_ESTABLISHED | 1 << TCP_LISTEN}: what the endpoint survey needs of TCP. */
    static final int TCP_LISTEN_AND_ESTABLISHED = (1 << 1) | (1 << 10);
    /** Every state: UDP sockets are {@code CLOSE} (unconnected) or {@code ESTABLISHED}. */
    static final int ALL_STATES = 0xFFFFFFFF;
    static final int REQUEST_LENGTH = DiagFrames.NLMSG_HDRLEN + 56;
    static final int MSG_LENGTH = 72;

    private InetDiagCodec() {
    }

    /** A dump request for every socket of {@code family}/{@code protocol} in {@code states}. */
    static byte[] dumpRequest(int seq, int family, InetSocket.Protocol protocol, int states) {
        ByteBuffer b = ByteBuffer.allocate(REQUEST_LENGTH).order(ByteOrder.nativeOrder());
        b.putInt(REQUEST_LENGTH).putShort((short) DiagFrames.SOCK_DIAG_BY_FAMILY)
                .putShort((short) (DiagFrames.NLM_F_REQUEST | DiagFrames.NLM_F_DUMP)).putInt(seq).putInt(0);
        b.put((byte) family).put((byte) protocol.number()).put((byte) 0).put((byte) 0).putInt(states);
        b.position(b.position() + 40); // ports, addresses and interface: 0 = any
        b.putInt(0xFFFFFFFF).putInt(0xFFFFFFFF); // cookie: INET_DIAG_NOCOOKIE
        return b.array();
    }

    /**
     * Decodes every message of one reply datagram and appends the sockets to {@code out}.
     *
     * @return true when the datagram held {@code NLMSG_DONE}: this dump is complete
     * @throws NetlinkException as {@link DiagFrames#decode}; {@code ENOENT} means the kernel lacks
     *                          the protocol's diag module (or the family)
     */
    static boolean decode(ByteBuffer datagram, int seq, InetSocket.Protocol protocol, List<InetSocket> out)
            throws NetlinkException {
        return DiagFrames.decode(datagram, seq, "inet_diag",
                "The kernel has no inet_diag support for " + protocol
                        + " (CONFIG_INET_DIAG, CONFIG_INET_" + protocol + "_DIAG; modules inet_diag, "
                        + protocol.name().toLowerCase() + "_diag), or IPv6 is disabled.",
                (b, from, to) -> out.add(socket(b, from, to, protocol)));
    }

    private static InetSocket socket(ByteBuffer b, int msg, int end, InetSocket.Protocol protocol)
            throws NetlinkException {
        if (end - msg < MSG_LENGTH) {
            throw DiagFrames.malformed("inet_diag", "an inet_diag_msg of " + (end - msg) + " bytes");
        }
        int family = b.get(msg) & 0xFF;
        if (family != AF_INET && family != AF_INET6) {
            throw DiagFrames.malformed("inet_diag", "address family " + family);
        }
        int state = b.get(msg + 1) & 0xFF;
        int sport = bigEndianPort(b, msg + 4);
        int dport = bigEndianPort(b, msg + 6);
        InetAddress src = address(b, msg + 8, family);
        InetAddress dst = address(b, msg + 24, family);
        return new InetSocket(protocol, UnixSocket.State.of(state), src, sport, dst, dport,
                b.getInt(msg + 56), b.getInt(msg + 60), b.getInt(msg + 64),
                Integer.toUnsignedLong(b.getInt(msg + 68)));
    }

    private static int bigEndianPort(ByteBuffer b, int at) {
        return (b.get(at) & 0xFF) << 8 | (b.get(at + 1) & 0xFF);
    }

    /** The address at {@code at}: 4 bytes for IPv4, 16 for IPv6 (an IPv4-mapped one comes back as IPv4). */
    private static InetAddress address(ByteBuffer b, int at, int family) {
        byte[] bytes = new byte[family == AF_INET ? 4 : 16];
        b.get(at, bytes);
        try {
            return InetAddress.getByAddress(bytes); // no name lookup: a literal address
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address was refused", e);
        }
    }
}
