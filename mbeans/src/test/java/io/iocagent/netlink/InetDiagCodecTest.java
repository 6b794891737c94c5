package io.iocagent.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The inet_diag request and reply layouts, against hand-built datagrams as the kernel sends them. */
class InetDiagCodecTest {

    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private static final byte[] ANY = {0, 0, 0, 0};
    private static final int LISTEN = 10;
    private static final int ESTABLISHED = 1;
    private static final int CLOSE = 7;

    private static List<InetSocket> decode(InetSocket.Protocol protocol, ByteBuffer datagram) throws NetlinkException {
        List<InetSocket> out = new ArrayList<>();
        assertTrue(InetDiagCodec.decode(datagram, Datagram.SEQ, protocol, out), "the datagram ends the dump");
        return out;
    }

    @Test
    void requestAsksForOneFamilyAndProtocolInTheGivenStatesWithoutACookie() {
        ByteBuffer b = ByteBuffer.wrap(InetDiagCodec.dumpRequest(7, InetDiagCodec.AF_INET6, InetSocket.Protocol.UDP,
                InetDiagCodec.ALL_STATES)).order(ByteOrder.nativeOrder());
        assertEquals(72, b.getInt(0), "nlmsghdr + inet_diag_req_v2");
        assertEquals(20, b.getShort(4), "SOCK_DIAG_BY_FAMILY");
        assertEquals(0x301, b.getShort(6), "NLM_F_REQUEST | NLM_F_DUMP");
        assertEquals(7, b.getInt(8), "sequence number");
        assertEquals(10, b.get(16), "AF_INET6");
        assertEquals(17, b.get(17), "IPPROTO_UDP");
        assertEquals(-1, b.getInt(20), "every state");
        assertEquals(0, b.getShort(24), "any source port");
        assertEquals(-1, b.getInt(64), "no cookie");
        assertEquals(-1, b.getInt(68), "no cookie");
    }

    @Test
    void aListenerKeepsItsPortAndBacklogAndAnAcceptedConnectionBothEnds() throws Exception {
        List<InetSocket> sockets = decode(InetSocket.Protocol.TCP, new Datagram()
                .inet(InetDiagCodec.AF_INET, LISTEN, ANY, 5064, ANY, 0, 0, 20, 4711)
                .inet(InetDiagCodec.AF_INET, ESTABLISHED, LOOPBACK, 5064, LOOPBACK, 43210, 0, 0, 4712)
                .done(0).bytes());
        InetSocket listener = sockets.get(0);
        assertTrue(listener.isListening());
        assertEquals(5064, listener.localPort());
        assertEquals(20, listener.sendQueue(), "listen backlog");
        assertEquals(4711, listener.inode());
        assertEquals(1000, listener.uid());
        InetSocket accepted = sockets.get(1);
        assertTrue(accepted.isConnected());
        assertEquals("127.0.0.1:5064", accepted.local());
        assertEquals("127.0.0.1:43210", accepted.remote());
    }

    @Test
    void portsAboveThirtyTwoThousandAreUnsigned() throws Exception {
        InetSocket s = decode(InetSocket.Protocol.TCP, new Datagram()
                .inet(InetDiagCodec.AF_INET, ESTABLISHED, LOOPBACK, 65535, LOOPBACK, 40000, 0, 0, 1).done(0).bytes()).get(0);
        assertEquals(65535, s.localPort());
        assertEquals(40000, s.remotePort());
    }

    @Test
    void anIpv4MappedIpv6AddressIsHeldAsIpv4AndPlainIpv6InBrackets() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(LOOPBACK, 0, mapped, 12, 4);
        byte[] v6loopback = new byte[16];
        v6loopback[15] = 1;
        List<InetSocket> sockets = decode(InetSocket.Protocol.TCP, new Datagram()
                .inet(InetDiagCodec.AF_INET6, ESTABLISHED, mapped, 5075, mapped, 50000, 0, 0, 1)
                .inet(InetDiagCodec.AF_INET6, LISTEN, v6loopback, 5075, new byte[16], 0, 0, 4, 2)
                .done(0).bytes());
        assertEquals(InetAddress.getByAddress(LOOPBACK), sockets.get(0).localAddress());
        assertEquals("[0:0:0:0:0:0:0:1]:5075", sockets.get(1).local());
    }

    @Test
    void aBoundUdpSocketIsADatagramReceiverAndAConnectedOneIsNot() throws Exception {
        List<InetSocket> sockets = decode(InetSocket.Protocol.UDP, new Datagram()
                .inet(InetDiagCodec.AF_INET, CLOSE, ANY, 5064, ANY, 0, 0, 0, 1)
                .inet(InetDiagCodec.AF_INET, ESTABLISHED, LOOPBACK, 40001, LOOPBACK, 5065, 0, 0, 2)
                .done(0).bytes());
        assertTrue(sockets.get(0).isBoundDatagram());
        assertFalse(sockets.get(0).isListening(), "UDP never listens");
        assertFalse(sockets.get(1).isBoundDatagram());
    }

    @Test
    void aKernelWithoutUdpDiagSaysWhichModuleIsMissing() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> decode(InetSocket.Protocol.UDP, new Datagram().error(-2).bytes()));
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().contains("udp_diag"), e.getMessage());
    }

    @Test
    void aTruncatedInetDiagMessageIsMalformed() {
        ByteBuffer broken = new Datagram().inet(InetDiagCodec.AF_INET, LISTEN, ANY, 1, ANY, 0, 0, 0, 1)
                .forgeLength(16 + 40).done(0).bytes();
        NetlinkException e = assertThrows(NetlinkException.class, () -> decode(InetSocket.Protocol.TCP, broken));
        assertTrue(e.getMessage().startsWith("Malformed inet_diag answer"), e.getMessage());
    }

    @Test
    void anUnknownAddressFamilyIsMalformed() {
        NetlinkException e = assertThrows(NetlinkException.class, () -> decode(InetSocket.Protocol.TCP,
                new Datagram().inet(1, LISTEN, ANY, 1, ANY, 0, 0, 0, 1).done(0).bytes()));
        assertTrue(e.getMessage().contains("address family 1"), e.getMessage());
    }
}
