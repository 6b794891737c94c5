package io.iocagent.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class UnixDiagCodecTest {

    private static final int STREAM = 1;
    private static final int DGRAM = 2;
    private static final int ESTABLISHED = 1;
    private static final int CLOSE = 7;
    private static final int LISTEN = 10;
    private static final String PATH = "/run/procserv/myioc/control";

    /** The observed dump of java-stack.md §5.5: listener, client, accepted side, abstract datagram. */
    private static Datagram observedDump() {
        return new Datagram()
                .socket(STREAM, LISTEN, 31679).name(PATH).vfs(2146816, 254 << 20).icons(31681)
                .rqlen(1, 4).uid(0).shutdown(0)
                .socket(STREAM, ESTABLISHED, 31680).peer(31682).rqlen(0, 768).uid(0).shutdown(0)
                .socket(STREAM, ESTABLISHED, 31682).name(PATH).vfs(2146816, 254 << 20).peer(31680)
                .rqlen(12, 0).uid(0).shutdown(0)
                .socket(DGRAM, ESTABLISHED, 33025).abstractName("probe-notify").rqlen(0, 0).uid(1000);
    }

    private static List<UnixSocket> decodeAll(ByteBuffer... datagrams) throws NetlinkException {
        List<UnixSocket> out = new ArrayList<>();
        for (int i = 0; i < datagrams.length; i++) {
            boolean done = UnixDiagCodec.decode(datagrams[i], Datagram.SEQ, StandardCharsets.UTF_8, out);
            assertEquals(i == datagrams.length - 1, done, "NLMSG_DONE seen in datagram " + i);
        }
        return out;
    }

    @Test
    void listenerReportsPendingConnectionsBacklogAndPendingPeerInodes() throws Exception {
        UnixSocket listener = decodeAll(observedDump().done(0).bytes()).get(0);

        assertEquals(31679, listener.inode());
        assertEquals(UnixSocket.Type.STREAM, listener.type());
        assertTrue(listener.isListening());
        assertEquals(Optional.of(PATH), listener.path());
        assertEquals(1, listener.pendingConnections());
        assertEquals(4, listener.backlog());
        assertEquals(List.of(31681L), listener.pendingPeers());
        assertEquals(0, listener.recvQueue(), "a listener's rqueue is its accept queue, not bytes");
        assertEquals(0, listener.sendQueue());
        assertEquals(OptionalInt.of(0), listener.uid());
    }

    @Test
    void acceptedSocketCarriesTheListenersPathItsPeerAndUnreadBytes() throws Exception {
        List<UnixSocket> sockets = decodeAll(observedDump().done(0).bytes());
        UnixSocket client = sockets.get(1);
        UnixSocket accepted = sockets.get(2);

        assertEquals(Optional.of(PATH), accepted.path());
        assertEquals(UnixSocket.State.ESTABLISHED, accepted.state());
        assertEquals(31680, accepted.peerInode());
        assertEquals(12, accepted.recvQueue());
        assertEquals(0, accepted.pendingConnections());
        assertEquals(0, accepted.backlog());
        assertEquals(Optional.empty(), client.path(), "the client end is unnamed");
        assertEquals(31682, client.peerInode());
        assertEquals(768, client.sendQueue());
        assertEquals(List.of(), client.pendingPeers());
    }

    @Test
    void abstractNameIsShownWithALeadingAtSignAndInnerNulsAsAtSigns() throws Exception {
        List<UnixSocket> sockets = decodeAll(new Datagram()
                .socket(DGRAM, ESTABLISHED, 1).abstractName("probe-notify")
                .socket(STREAM, LISTEN, 2).abstractName("a\0b")
                .done(0).bytes());

        assertEquals(Optional.of("@probe-notify"), sockets.get(0).path());
        assertEquals(Optional.of("@a@b"), sockets.get(1).path());
        assertEquals(Optional.empty(), sockets.get(0).file());
    }

    @Test
    void pathEndsAtItsFirstNul() throws Exception {
        List<UnixSocket> sockets = decodeAll(new Datagram()
                .socket(STREAM, LISTEN, 1).attribute(0, "/tmp/a.sock\0\0garbage".getBytes(StandardCharsets.UTF_8))
                .done(0).bytes());

        assertEquals(Optional.of("/tmp/a.sock"), sockets.get(0).path());
    }

    @Test
    void socketFileDeviceIsConvertedToTheUserSpaceEncoding() throws Exception {
        List<UnixSocket> sockets = decodeAll(new Datagram()
                .socket(STREAM, LISTEN, 1).name("/a").vfs(77, 254 << 20)
                .socket(STREAM, LISTEN, 2).name("/b").vfs(-2, (8 << 20) | 300)
                .done(0).bytes());

        assertEquals(new UnixSocket.SocketFile(77, 0xFE00), sockets.get(0).file().orElseThrow());
        // makedev(8, 300) = (300 & 0xff) | (8 << 8) | ((300 & ~0xff) << 12); inode is unsigned
        assertEquals(new UnixSocket.SocketFile(0xFFFFFFFEL, 44 | (8 << 8) | (256 << 12)),
                sockets.get(1).file().orElseThrow());
    }

    @Test
    void inodesAboveTwoToThe31AreUnsigned() throws Exception {
        List<UnixSocket> sockets = decodeAll(new Datagram()
                .socket(STREAM, ESTABLISHED, 0xF0000001L).peer(0xF0000002L).done(0).bytes());

        assertEquals(0xF0000001L, sockets.get(0).inode());
        assertEquals(0xF0000002L, sockets.get(0).peerInode());
    }

    @Test
    void kernelsWithoutUidAttributeGiveAnEmptyUid() throws Exception {
        UnixSocket s = decodeAll(new Datagram().socket(STREAM, CLOSE, 5).rqlen(0, 0).done(0).bytes()).get(0);

        assertEquals(OptionalInt.empty(), s.uid());
        assertEquals(UnixSocket.State.CLOSE, s.state());
    }

    @Test
    void unknownAttributesAndPaddingAreSkipped() throws Exception {
        UnixSocket s = decodeAll(new Datagram()
                .socket(STREAM, ESTABLISHED, 9).shutdown(3).attribute(5, new byte[36]) /* MEMINFO */
                .attribute(99, new byte[] {1, 2, 3}).peer(10).uid(1000)
                .done(0).bytes()).get(0);

        assertEquals(10, s.peerInode());
        assertEquals(OptionalInt.of(1000), s.uid());
    }

    @Test
    void dumpSpanningSeveralDatagramsIsCompleteOnlyAtDone() throws Exception {
        ByteBuffer first = new Datagram()
                .socket(STREAM, LISTEN, 1).name("/a").socket(STREAM, LISTEN, 2).name("/b").bytes();
        ByteBuffer second = new Datagram().socket(STREAM, LISTEN, 3).name("/c").noop().done(0).bytes();

        List<UnixSocket> out = new ArrayList<>();
        assertFalse(UnixDiagCodec.decode(first, Datagram.SEQ, StandardCharsets.UTF_8, out));
        assertTrue(UnixDiagCodec.decode(second, Datagram.SEQ, StandardCharsets.UTF_8, out));
        assertEquals(List.of(1L, 2L, 3L), out.stream().map(UnixSocket::inode).toList());
    }

    @Test
    void errorMessageWithNegativeErrnoFailsNamingTheError() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> UnixDiagCodec.decode(new Datagram().error(-22).bytes(), Datagram.SEQ,
                        StandardCharsets.UTF_8, new ArrayList<>()));

        assertEquals(22, e.errno());
        assertTrue(e.getMessage().contains("Invalid argument (errno 22)"), e.getMessage());
    }

    @Test
    void missingUnixDiagSupportFailsWithAHint() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> UnixDiagCodec.decode(new Datagram().error(-2).bytes(), Datagram.SEQ,
                        StandardCharsets.UTF_8, new ArrayList<>()));

        assertEquals(2, e.errno());
        assertTrue(e.getMessage().contains("CONFIG_UNIX_DIAG"), e.getMessage());
    }

    @Test
    void errorMessageWithZeroIsAnAcknowledgement() throws Exception {
        assertEquals(1, decodeAll(new Datagram().error(0).socket(STREAM, LISTEN, 1).done(0).bytes()).size());
    }

    @Test
    void doneCarryingANegativeErrnoMeansTheDumpBrokeOff() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> UnixDiagCodec.decode(new Datagram().socket(STREAM, LISTEN, 1).done(-105).bytes(),
                        Datagram.SEQ, StandardCharsets.UTF_8, new ArrayList<>()));

        assertEquals(105, e.errno());
        assertTrue(e.getMessage().contains("broke off"), e.getMessage());
    }

    @Test
    void messagesOfAnotherSequenceAreIgnored() throws Exception {
        List<UnixSocket> sockets = decodeAll(new Datagram()
                .socket(Datagram.SEQ + 1, STREAM, LISTEN, 1).name("/stale")
                .socket(STREAM, LISTEN, 2).name("/ours")
                .done(0).bytes());

        assertEquals(List.of(2L), sockets.stream().map(UnixSocket::inode).toList());
    }

    @Test
    void messageLongerThanTheDatagramIsMalformed() {
        ByteBuffer broken = new Datagram().socket(STREAM, LISTEN, 1).name("/a").forgeLength(4000).bytes();

        NetlinkException e = assertThrows(NetlinkException.class,
                () -> UnixDiagCodec.decode(broken, Datagram.SEQ, StandardCharsets.UTF_8, new ArrayList<>()));
        assertEquals(0, e.errno());
        assertTrue(e.getMessage().startsWith("Malformed unix_diag answer"), e.getMessage());
    }

    @Test
    void attributeLongerThanItsMessageIsMalformed() {
        ByteBuffer broken = new Datagram().socket(STREAM, LISTEN, 1)
                .attribute(0, "/a\0".getBytes(StandardCharsets.UTF_8)).forgeLength(16 + 16 + 6).bytes();

        assertThrows(NetlinkException.class,
                () -> UnixDiagCodec.decode(broken, Datagram.SEQ, StandardCharsets.UTF_8, new ArrayList<>()));
    }

    @Test
    void truncatedRqlenAttributeIsMalformed() {
        ByteBuffer broken = new Datagram().socket(STREAM, LISTEN, 1)
                .attribute(UnixDiagCodec.UNIX_DIAG_RQLEN, new byte[4]).done(0).bytes();

        NetlinkException e = assertThrows(NetlinkException.class,
                () -> UnixDiagCodec.decode(broken, Datagram.SEQ, StandardCharsets.UTF_8, new ArrayList<>()));
        assertTrue(e.getMessage().contains("UNIX_DIAG_RQLEN"), e.getMessage());
    }

    @Test
    void dumpRequestFollowsTheDocumentedLayout() {
        ByteBuffer b = ByteBuffer.wrap(UnixDiagCodec.dumpRequest(99, UnixDiagCodec.SHOW_ALL))
                .order(ByteOrder.nativeOrder());

        assertEquals(40, b.capacity());
        assertEquals(40, b.getInt(0), "nlmsg_len");
        assertEquals(20, b.getShort(4), "SOCK_DIAG_BY_FAMILY");
        assertEquals(0x301, b.getShort(6), "NLM_F_REQUEST | NLM_F_DUMP");
        assertEquals(99, b.getInt(8), "seq");
        assertEquals(0, b.getInt(12), "pid");
        assertEquals(1, b.get(16), "AF_UNIX");
        assertEquals(-1, b.getInt(20), "every state");
        assertEquals(0, b.getInt(24), "every inode");
        assertEquals(0x5F, b.getInt(28), "NAME|VFS|PEER|ICONS|RQLEN|UID");
        assertEquals(-1, b.getInt(32), "no cookie");
        assertEquals(-1, b.getInt(36), "no cookie");
    }

    @Test
    void unknownTypeAndStateNumbersAreKeptAsUnknown() {
        assertEquals(UnixSocket.Type.SEQPACKET, UnixSocket.Type.of(5));
        assertEquals(UnixSocket.Type.UNKNOWN, UnixSocket.Type.of(3));
        assertEquals(UnixSocket.State.LISTEN, UnixSocket.State.of(10));
        assertEquals(UnixSocket.State.UNKNOWN, UnixSocket.State.of(12));
        assertEquals(UnixSocket.State.UNKNOWN, UnixSocket.State.of(0));
    }
}
