package io.iocagent.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Lists the TCP sockets that listen or are connected and every UDP socket, IPv4 and IPv6, of the
 * caller's network namespace: four {@code inet_diag} dumps ({@code AF_INET}/{@code AF_INET6} ×
 * TCP/UDP) on one {@code NETLINK_SOCK_DIAG} socket, the source {@code ss -tuan} reads. No process
 * is forked and no {@code /proc/net/tcp} text is parsed.
 *
 * <p>Facts relied on ({@code net/ipv4/inet_diag.c}, {@code udp_diag.c}, {@code man 7 sock_diag}):
 * unprivileged callers may dump; only sockets of the caller's network namespace are seen; the
 * {@code tcp_diag} and {@code udp_diag} modules load on demand. A kernel without UDP diag support
 * or without IPv6 answers {@code ENOENT} for that dump: it is left out, and
 * {@link Dump#complete()} says so; without TCP/IPv4 support the dump fails.
 *
 * <p>Thread-safe: {@link #dump} is synchronized because the instance reuses one 64 KiB direct
 * receive buffer.
 */
public final class InetSocketDiag {

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int TIMEOUT_MILLIS = 5_000;
    private static final int ENOENT = 2;
    private static final int EAFNOSUPPORT = 97;

    /**
     * One pass over the kernel's TCP and UDP sockets.
     *
     * @param sockets  every socket, in dump order (TCP/IPv4, TCP/IPv6, UDP/IPv4, UDP/IPv6)
     * @param complete false when the kernel could not dump UDP or IPv6 sockets (see the class note)
     */
    public record Dump(List<InetSocket> sockets, boolean complete) {

        public Dump {
            sockets = Collections.unmodifiableList(sockets);
        }
    }

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private int seq = (int) (System.nanoTime() & 0x7FFFFFFF);

    /**
     * Listening and established TCP sockets and all UDP sockets, as consistent as the kernel's
     * walk of its hash tables allows (sockets created or closed meanwhile may or may not appear).
     *
     * @throws NetlinkException when the netlink socket cannot be used, the kernel refuses the
     *                          TCP/IPv4 dump, or an answer is malformed; the message says which
     */
    public synchronized Dump dump() throws NetlinkException {
        List<InetSocket> sockets = new ArrayList<>(256);
        boolean complete = true;
        try (NetlinkSocket socket = NetlinkSocket.open(TIMEOUT_MILLIS)) {
            complete &= dumpOne(socket, InetDiagCodec.AF_INET, InetSocket.Protocol.TCP, sockets, false);
            complete &= dumpOne(socket, InetDiagCodec.AF_INET6, InetSocket.Protocol.TCP, sockets, true);
            complete &= dumpOne(socket, InetDiagCodec.AF_INET, InetSocket.Protocol.UDP, sockets, true);
            complete &= dumpOne(socket, InetDiagCodec.AF_INET6, InetSocket.Protocol.UDP, sockets, true);
        }
        return new Dump(sockets, complete);
    }

    /** One dump on {@code socket}; false when it was {@code optional} and the kernel has no support for it. */
    private boolean dumpOne(NetlinkSocket socket, int family, InetSocket.Protocol protocol, List<InetSocket> out,
                            boolean optional) throws NetlinkException {
        int requestSeq = ++seq;
        int states = protocol == InetSocket.Protocol.TCP ? InetDiagCodec.TCP_LISTEN_AND_ESTABLISHED
                : InetDiagCodec.ALL_STATES;
        socket.send(InetDiagCodec.dumpRequest(requestSeq, family, protocol, states));
        int before = out.size();
        try {
            boolean done;
            do {
                socket.receive(buffer);
                done = InetDiagCodec.decode(buffer, requestSeq, protocol, out);
            } while (!done);
            return true;
        } catch (NetlinkException e) {
            if (optional && (e.errno() == ENOENT || e.errno() == EAFNOSUPPORT)) {
                out.subList(before, out.size()).clear();
                return false; // the error ends this request's answer; the socket serves the next one
            }
            throw e;
        }
    }
}
