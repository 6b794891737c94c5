package io.iocagent.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Lists every UNIX domain socket of the caller's network namespace with one
 * {@code NETLINK_SOCK_DIAG} dump ({@code SOCK_DIAG_BY_FAMILY}, {@code AF_UNIX}), the source
 * {@code ss -x} reads. No process is forked and no {@code /proc/net/unix} text is parsed.
 *
 * <p>Facts relied on ({@code net/unix/diag.c}, {@code man 7 sock_diag}): unprivileged callers may
 * dump; only sockets of the caller's network namespace are seen (a service with
 * {@code PrivateNetwork=yes} or in a container is invisible); the {@code unix_diag} module loads
 * on demand through its module alias.
 *
 * <p>Thread-safe: {@link #dump} is synchronized because the instance reuses one 64 KiB direct
 * receive buffer (the kernel fills dump datagrams up to 32 KiB). Each dump opens its own netlink
 * socket and closes it before returning.
 */
public final class UnixSocketDiag {

    /** The kernel caps a dump datagram at about 32 KiB ({@code netlink_recvmsg}); twice that is safe. */
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int TIMEOUT_MILLIS = 5_000;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private final Charset pathCharset = pathCharset();
    private int seq = (int) (System.nanoTime() & 0x7FFFFFFF);

    /**
     * Every UNIX socket, in the kernel's order, as one consistent-enough snapshot: the kernel
     * walks its socket hash table while answering, so sockets created or closed meanwhile may or
     * may not appear.
     *
     * @return an unmodifiable list, never null
     * @throws NetlinkException when the netlink socket cannot be used, the kernel refuses the dump,
     *                          or its answer is malformed; the message says which
     */
    public synchronized List<UnixSocket> dump() throws NetlinkException {
        int requestSeq = ++seq;
        List<UnixSocket> sockets = new ArrayList<>(256);
        try (NetlinkSocket socket = NetlinkSocket.open(TIMEOUT_MILLIS)) {
            socket.send(UnixDiagCodec.dumpRequest(requestSeq, UnixDiagCodec.SHOW_ALL));
            boolean done;
            do {
                socket.receive(buffer);
                done = UnixDiagCodec.decode(buffer, requestSeq, pathCharset, sockets);
            } while (!done);
        }
        return Collections.unmodifiableList(sockets);
    }

    /**
     * The charset the JDK uses for file names ({@code sun.jnu.encoding}), so a decoded socket path
     * equals {@code Path.toString()} of the same file even for non-ASCII names.
     */
    private static Charset pathCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return Charset.defaultCharset();
        }
    }
}
