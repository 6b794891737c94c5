package io.iocagent.model;

import io.iocagent.netlink.InetSocket;
import io.iocagent.netlink.UnixSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Rows of a hand-made {@code inet_diag} table for the endpoint tests, each with an inode of its own. */
final class HandMadeSockets {

    static final InetAddress ANY = address(0, 0, 0, 0);
    static final InetAddress LO = address(127, 0, 0, 1);
    static final InetAddress REMOTE = address(192, 0, 2, 7);

    private long inode = 100;

    static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TCP listener on {@code address} and {@code port} that asked for {@code backlog}. */
    InetSocket listener(InetAddress address, int port, int backlog) {
        return new InetSocket(InetSocket.Protocol.TCP, UnixSocket.State.LISTEN, address, port, ANY, 0, 0, backlog, 0,
                ++inode);
    }

    /** A TCP listener on every address. */
    InetSocket listener(int port, int backlog) {
        return listener(ANY, port, backlog);
    }

    /** A UDP socket bound to {@code port} on every address. */
    InetSocket udp(int port) {
        return new InetSocket(InetSocket.Protocol.UDP, UnixSocket.State.CLOSE, ANY, port, ANY, 0, 0, 0, 0, ++inode);
    }

    /** An established TCP connection, seen from its local end. */
    InetSocket connection(InetAddress local, int localPort, InetAddress remote, int remotePort) {
        return new InetSocket(InetSocket.Protocol.TCP, UnixSocket.State.ESTABLISHED, local, localPort, remote, remotePort,
                0, 0, 0, ++inode);
    }
}
