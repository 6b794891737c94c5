package io.iocagent.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.proc.ProcessTable;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The real kernel's inet_diag answer about sockets this test opens, joined to this process's descriptors. */
class InetSocketDiagIT {

    private final InetSocketDiag diag = new InetSocketDiag();

    @Test
    void aListenerItsAcceptedConnectionAndABoundUdpSocketAreSeenWithTheirInodes() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 7, lo);
             Socket client = new Socket(lo, server.getLocalPort());
             Socket accepted = server.accept();
             DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            InetSocketDiag.Dump dump = diag.dump();
            List<InetSocket> sockets = dump.sockets();
            InetSocket listener = sockets.stream()
                    .filter(s -> s.isListening() && s.localPort() == server.getLocalPort()).findFirst().orElseThrow();
            assertEquals(7, listener.sendQueue(), "the backlog given to listen(2)");
            InetSocket serverEnd = sockets.stream().filter(s -> s.isConnected()
                    && s.localPort() == server.getLocalPort() && s.remotePort() == client.getLocalPort())
                    .findFirst().orElseThrow();
            InetSocket clientEnd = sockets.stream().filter(s -> s.isConnected()
                    && s.localPort() == client.getLocalPort()).findFirst().orElseThrow();
            InetSocket datagram = sockets.stream().filter(s -> s.isBoundDatagram()
                    && s.localPort() == udp.getLocalPort()).findFirst().orElseThrow();

            Set<Long> mine = new ProcessTable().socketsOf((int) ProcessHandle.current().pid()).inodes();
            for (InetSocket s : List.of(listener, serverEnd, clientEnd, datagram)) {
                assertTrue(mine.contains(s.inode()), "this process holds " + s);
            }
            assertTrue(dump.complete() || sockets.stream().noneMatch(s -> s.protocol() == InetSocket.Protocol.UDP),
                    "an incomplete dump is one without UDP or IPv6");
        }
    }
}
