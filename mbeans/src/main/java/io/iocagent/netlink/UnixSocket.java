package io.iocagent.netlink;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One UNIX domain socket as the kernel's {@code unix_diag} reports it ({@code net/unix/diag.c}):
 * one {@code unix_diag_msg} plus the attributes asked for with
 * {@code UDIAG_SHOW_NAME|VFS|PEER|ICONS|RQLEN|UID}.
 *
 * <p>Inodes are the socket inodes ({@code ino} in {@code ss -x}, the number in a
 * {@code /proc/PID/fd} link {@code socket:[ino]}); the kernel sends them as u32, held here as
 * non-negative {@code long}s.
 *
 * @param inode              this socket's inode
 * @param type               stream, datagram or seqpacket
 * @param state              kernel state; UNIX sockets use {@code LISTEN}, {@code ESTABLISHED}
 *                           (connected, including accepted and not-yet-accepted sockets) and
 *                           {@code CLOSE} (unconnected)
 * @param path               the bound name ({@code UNIX_DIAG_NAME}): a filesystem path as it was
 *                           passed to {@code bind()} (absolute or relative, never re-resolved), or an
 *                           abstract name rendered as {@code "@name"} (NUL bytes inside it also as
 *                           {@code '@'}, as {@code ss} does). Empty for unbound sockets, such as
 *                           the client end of a connection. <b>Accepted server-side sockets carry
 *                           the listener's name</b>: the kernel copies the listener's address into
 *                           every socket it accepts ({@code unix_stream_connect})
 * @param peerInode          inode of the connected peer ({@code UNIX_DIAG_PEER}), 0 when there is
 *                           none or the peer is a not-yet-accepted embryo socket
 * @param pendingConnections listeners only: connections waiting in the accept queue
 *                           ({@code udiag_rqueue} of {@code UNIX_DIAG_RQLEN}); 0 otherwise
 * @param backlog            listeners only: the accept queue limit ({@code udiag_wqueue}); 0 otherwise
 * @param recvQueue          non-listeners: bytes received and not yet read ({@code unix_inq_len});
 *                           0 for listeners
 * @param sendQueue          non-listeners: memory of sent, not yet consumed data in bytes
 *                           ({@code unix_outq_len}; buffer truesize, not payload bytes, for stream
 *                           sockets); 0 for listeners
 * @param uid                owner uid ({@code UNIX_DIAG_UID}, in the caller's user namespace);
 *                           empty on kernels before 5.3, which do not send it
 * @param pendingPeers       listeners only: peer (client) inodes of the connections not yet accepted
 *                           ({@code UNIX_DIAG_ICONS}), in kernel order; empty otherwise. Never null
 * @param file               inode and device of the socket file a path socket is bound to
 *                           ({@code UNIX_DIAG_VFS}), which tells whether the path still names this
 *                           socket; empty for abstract and unbound sockets
 */
public record UnixSocket(long inode, Type type, State state, Optional<String> path, long peerInode,
                         int pendingConnections, int backlog, int recvQueue, int sendQueue,
                         OptionalInt uid, List<Long> pendingPeers, Optional<SocketFile> file) {

    public UnixSocket {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(uid, "uid");
        pendingPeers = List.copyOf(pendingPeers);
        Objects.requireNonNull(file, "file");
    }

    /** True for a listening socket (state {@code LISTEN}). */
    public boolean isListening() {
        return state == State.LISTEN;
    }

    /** Socket type ({@code udiag_type}, the {@code SOCK_*} constant). */
    public enum Type {
        STREAM(1), DGRAM(2), SEQPACKET(5),
        /** A value this code does not know; not produced by current kernels for AF_UNIX. */
        UNKNOWN(-1);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        /** The kernel's {@code SOCK_*} number, -1 for {@link #UNKNOWN}. */
        public int code() {
            return code;
        }

        /** The type of kernel number {@code code}; {@link #UNKNOWN} when it is none of the above. */
        public static Type of(int code) {
            switch (code) {
                case 1: return STREAM;
                case 2: return DGRAM;
                case 5: return SEQPACKET;
                default: return UNKNOWN;
            }
        }
    }

    /**
     * Socket state ({@code udiag_state}). The kernel reuses the TCP state numbers
     * ({@code include/net/tcp_states.h}); AF_UNIX sets only {@code ESTABLISHED} (1), {@code CLOSE}
     * (7) and {@code LISTEN} (10), the others are listed so that no value is ever lost.
     */
    public enum State {
        ESTABLISHED(1), SYN_SENT(2), SYN_RECV(3), FIN_WAIT1(4), FIN_WAIT2(5), TIME_WAIT(6),
        CLOSE(7), CLOSE_WAIT(8), LAST_ACK(9), LISTEN(10), CLOSING(11),
        /** A value outside the TCP state numbers. */
        UNKNOWN(-1);

        private static final State[] BY_CODE = new State[12];

        static {
            for (State s : values()) {
                if (s.code > 0) {
                    BY_CODE[s.code] = s;
                }
            }
        }

        private final int code;

        State(int code) {
            this.code = code;
        }

        /** The kernel's state number, -1 for {@link #UNKNOWN}. */
        public int code() {
            return code;
        }

        /** The state of kernel number {@code code}; {@link #UNKNOWN} outside 1..11. */
        public static State of(int code) {
            return code > 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
        }
    }

    /**
     * Identity of the socket file a path socket is bound to ({@code unix_diag_vfs}).
     *
     * @param inode  inode of the socket file (not the socket inode)
     * @param device device of the file system holding it, in the user-space {@code st_dev}
     *               encoding, so it compares equal to {@code Files.getAttribute(path, "unix:dev")}.
     *               The kernel sends its internal {@code dev_t} ({@code major << 20 | minor});
     *               {@link #fromKernel} converts it with {@code new_encode_dev}.
     */
    public record SocketFile(long inode, long device) {

        /** From the two u32 fields of {@code unix_diag_vfs}. */
        public static SocketFile fromKernel(int vfsInode, int kernelDev) {
            long major = Integer.toUnsignedLong(kernelDev) >>> 20;
            long minor = kernelDev & 0xFFFFF;
            long userDev = (minor & 0xFF) | ((major & 0xFFF) << 8) | ((minor & ~0xFFL) << 12)
                    | ((major & ~0xFFFL) << 32);
            return new SocketFile(Integer.toUnsignedLong(vfsInode), userDev);
        }
    }
}
