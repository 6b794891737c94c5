package io.iocagent.netlink;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One TCP or UDP socket (IPv4 or IPv6) as the kernel's {@code inet_diag} reports it
 * ({@code net/ipv4/inet_diag.c}, {@code man 7 sock_diag}): one {@code inet_diag_msg}, the source
 * {@code ss -tuan} reads.
 *
 * <p>An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, a dual-stack socket talking IPv4) is
 * held as the IPv4 address, so both ends of one loopback connection compare equal whatever
 * family each socket has.
 *
 * @param protocol      TCP or UDP
 * @param state         kernel state: TCP sockets {@code LISTEN}, {@code ESTABLISHED}, …; UDP
 *                      sockets {@code CLOSE} (unconnected) or {@code ESTABLISHED} (connected)
 * @param localAddress  bound address; the wildcard ({@code 0.0.0.0} or {@code ::}) when unbound
 * @param localPort     bound port, 0 when none
 * @param remoteAddress peer address; the wildcard for listeners and unconnected UDP sockets
 * @param remotePort    peer port, 0 when none
 * @param recvQueue     listeners: connections waiting to be accepted; others: bytes not yet read
 * @param sendQueue     listeners: the accept queue limit, the {@code backlog} given to
 *                      {@code listen(2)} (capped by {@code net.core.somaxconn}); others: bytes
 *                      not yet sent or acknowledged
 * @param uid           owner uid, in the caller's user namespace
 * @param inode         socket inode (the number of a {@code /proc/PID/fd} link {@code socket:[ino]});
 *                      0 for sockets no process holds any more (e.g. {@code TIME_WAIT})
 */
public record InetSocket(Protocol protocol, UnixSocket.State state, InetAddress localAddress, int localPort,
                         InetAddress remoteAddress, int remotePort, int recvQueue, int sendQueue, int uid,
                         long inode) {

    public InetSocket {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
    }

    /** True for a listening TCP socket. */
    public boolean isListening() {
        return protocol == Protocol.TCP && state == UnixSocket.State.LISTEN;
    }

    /** True for an established TCP connection. */
    public boolean isConnected() {
        return protocol == Protocol.TCP && state == UnixSocket.State.ESTABLISHED;
    }

    /** True for a UDP socket bound to a port and connected to no peer (one that receives from anyone). */
    public boolean isBoundDatagram() {
        return protocol == Protocol.UDP && localPort != 0 && remotePort == 0;
    }

    /** {@code address:port} of the local end ({@code [v6]:port} for IPv6). */
    public String local() {
        return endpoint(localAddress, localPort);
    }

    /** {@code address:port} of the remote end ({@code [v6]:port} for IPv6). */
    public String remote() {
        return endpoint(remoteAddress, remotePort);
    }

    /** {@code address:port}, with an IPv6 address in brackets. */
    public static String endpoint(InetAddress address, int port) {
        String host = address.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The transport protocol, with its {@code IPPROTO_*} number. */
    public enum Protocol {
        TCP(6), UDP(17);

        private final int number;

        Protocol(int number) {
            this.number = number;
        }

        /** {@code IPPROTO_TCP} or {@code IPPROTO_UDP}. */
        public int number() {
            return number;
        }
    }
}
