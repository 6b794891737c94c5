package io.iocagent.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;

/**
 * One {@code AF_NETLINK}/{@code NETLINK_SOCK_DIAG} socket, through JNA direct mapping of libc
 * ({@code socket}, {@code sendto}, {@code recv}, {@code setsockopt}, {@code close}).
 *
 * <p>Opened with {@code SOCK_CLOEXEC}, so a process the agent forks never inherits it. Each call
 * that fails throws {@link NetlinkException} with the errno; {@code EINTR} is retried. Sizes are
 * passed as {@code long} for {@code size_t}/{@code ssize_t} and {@code struct timeval} as two
 * {@code long}s: this assumes LP64 (x86_64, aarch64), as the rest of the JNA code does.
 *
 * <p>Not thread-safe; one owner opens, uses and closes it.
 */
final class NetlinkSocket implements AutoCloseable {

    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_SOCK_DIAG = 4;

    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int MSG_TRUNC = 0x20;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    /** {@code struct sockaddr_nl} of the kernel: {@code nl_family=AF_NETLINK}, pid 0, groups 0. */
    private static final byte[] KERNEL = {AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    static {
        Native.register(NetlinkSocket.class, Platform.C_LIBRARY_NAME);
    }

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen)
            throws LastErrorException;

    private static native long recv(int fd, ByteBuffer buf, long len, int flags) throws LastErrorException;

    private static native int setsockopt(int fd, int level, int name, long[] value, int len)
            throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native String strerror(int errno);

    private final int fd;

    private NetlinkSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Opens a sock_diag socket whose {@link #receive} gives up after {@code timeoutMillis}, so a
     * kernel that never finishes a dump cannot hang the caller.
     */
    static NetlinkSocket open(int timeoutMillis) throws NetlinkException {
        int fd;
        try {
            fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        } catch (LastErrorException e) {
            throw new NetlinkException("Cannot open a NETLINK_SOCK_DIAG socket: " + describe(e.getErrorCode())
                    + ". -> Check that the kernel has CONFIG_UNIX_DIAG and that no seccomp filter"
                    + " (e.g. systemd RestrictAddressFamilies=) forbids AF_NETLINK.", e.getErrorCode(), e);
        }
        NetlinkSocket socket = new NetlinkSocket(fd);
        try {
            long[] timeval = {timeoutMillis / 1000, (timeoutMillis % 1000) * 1000L};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16);
        } catch (LastErrorException e) {
            socket.close();
            throw new NetlinkException("Cannot set the receive timeout of the netlink socket: "
                    + describe(e.getErrorCode()), e.getErrorCode(), e);
        }
        return socket;
    }

    /** Sends {@code request} (one whole netlink message) to the kernel. */
    void send(byte[] request) throws NetlinkException {
        while (true) {
            try {
                long sent = sendto(fd, request, request.length, 0, KERNEL, KERNEL.length);
                if (sent != request.length) {
                    throw new NetlinkException("The kernel took " + sent + " of " + request.length
                            + " bytes of the netlink request.", 0);
                }
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new NetlinkException("Cannot send the netlink request: " + describe(e.getErrorCode()),
                            e.getErrorCode(), e);
                }
            }
        }
    }

    /**
     * Receives one datagram into {@code buffer} (a direct buffer) from index 0, and sets its
     * position to 0 and its limit to the datagram's length.
     *
     * @throws NetlinkException on timeout, on error, or when the datagram did not fit: it is then
     *                          lost, so the answer cannot be trusted (recv with {@code MSG_TRUNC}
     *                          reports the real length)
     */
    void receive(ByteBuffer buffer) throws NetlinkException {
        while (true) {
            try {
                long length = recv(fd, buffer, buffer.capacity(), MSG_TRUNC);
                if (length > buffer.capacity()) {
                    throw new NetlinkException("A netlink datagram of " + length + " bytes did not fit the "
                            + buffer.capacity() + "-byte receive buffer.", 0);
                }
                buffer.clear().limit((int) length);
                return;
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == EAGAIN) {
                    throw new NetlinkException("The kernel did not finish the sock_diag dump in time.", errno, e);
                }
                if (errno != EINTR) {
                    throw new NetlinkException("Cannot receive from the netlink socket: " + describe(errno), errno, e);
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            close(fd);
        } catch (LastErrorException e) {
            // close(2) releases the descriptor even when it reports an error; nothing to retry.
        }
    }

    /** {@code "<strerror text> (errno N)"}. */
    static String describe(int errno) {
        String text = strerror(errno);
        return (text == null ? "error" : text) + " (errno " + errno + ")";
    }
}
