package io.iocagent.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading a CA server's byte stream in pieces, honest and hostile, and the greeting a watching client sends. */
class CaRepliesTest {

    private static byte[] header(int command, int payload, int count) {
        return ByteBuffer.allocate(16).putShort((short) command).putShort((short) payload).putShort((short) 0)
                .putShort((short) count).putInt(0).putInt(0).array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    @Test
    void theServersVersionThenAnEchoIsOneEcho() {
        byte[] stream = concat(header(CaMessages.VERSION, 0, 13), header(CaMessages.ECHO, 0, 0));
        assertEquals(1, new CaReplies().feed(ByteBuffer.wrap(stream)));
    }

    @Test
    void anEchoSplitAcrossReadsOneByteAtATimeIsCountedOnceWhenComplete() {
        byte[] stream = concat(header(CaMessages.VERSION, 0, 13), header(CaMessages.ECHO, 0, 0));
        CaReplies replies = new CaReplies();
        int echoes = 0;
        for (int i = 0; i < stream.length; i++) {
            int n = replies.feed(ByteBuffer.wrap(stream, i, 1));
            assertEquals(i == stream.length - 1 ? 1 : 0, n, "after byte " + i);
            echoes += n;
        }
        assertEquals(1, echoes);
    }

    @Test
    void aPayloadIsSkippedEvenWhenItLooksLikeAnEcho() {
        // A message whose 16-byte payload holds an ECHO header: that is payload, not a message.
        byte[] stream = concat(header(CaMessages.CLIENT_NAME, 16, 0), header(CaMessages.ECHO, 0, 0),
                header(CaMessages.ECHO, 0, 0));
        assertEquals(1, new CaReplies().feed(ByteBuffer.wrap(stream)));
    }

    @Test
    void anExtendedHeaderIsReadWithItsThirtyTwoBitPayloadSizeAndTheFollowingEchoIsFound() {
        byte[] extended = concat(header(1, 0xFFFF, 0), ByteBuffer.allocate(8).putInt(40).putInt(5).array(),
                new byte[40]);
        assertEquals(1, new CaReplies().feed(ByteBuffer.wrap(concat(extended, header(CaMessages.ECHO, 0, 0)))));
    }

    @Test
    void aHugeAnnouncedPayloadIsSkippedWithoutBeingBufferedAndHidesNoEcho() {
        CaReplies replies = new CaReplies();
        byte[] huge = concat(header(1, 0xFFFF, 0), ByteBuffer.allocate(8).putInt(0x7FFF_FFFF).putInt(1).array());
        assertEquals(0, replies.feed(ByteBuffer.wrap(huge)));
        byte[] noise = new byte[64 * 1024];
        Arrays.fill(noise, (byte) 0);
        for (int i = 0; i < 100; i++) {
            noise[16 * (i % 100) + 1] = CaMessages.ECHO; // echo-shaped bytes inside the payload
            assertEquals(0, replies.feed(ByteBuffer.wrap(noise)), "bytes of an announced payload are no messages");
        }
    }

    @Test
    void theGreetingIsVersionClientNameAndEchoPaddedToEightBytes() {
        ByteBuffer g = CaMessages.greeting("ioc-agent-probe");
        assertEquals(0, g.remaining() % 8, "CA payloads are padded to 8 bytes");
        assertEquals(CaMessages.VERSION, g.getShort(0));
        assertEquals(CaMessages.MINOR_VERSION, g.getShort(6));
        assertEquals(CaMessages.CLIENT_NAME, g.getShort(16));
        int payload = g.getShort(18);
        assertEquals(CaMessages.ECHO, g.getShort(32 + payload));
        assertEquals(g.remaining(), 48 + payload);
        // a server reading it as a stream sees exactly one echo
        assertEquals(1, new CaReplies().feed(g.duplicate()));
    }

    private static byte[] header(int command, int payload, int type, int count, int p1, int p2) {
        return ByteBuffer.allocate(16).putShort((short) command).putShort((short) payload).putShort((short) type)
                .putShort((short) count).putInt(p1).putInt(p2).array();
    }

    /** Records what a stream said, in order. */
    private static final class Said implements CaReplies.Heard {
        final List<String> events = new ArrayList<>();

        @Override
        public void echo() {
            events.add("echo");
        }

        @Override
        public void channel(int cid, int sid) {
            events.add("channel " + cid + " sid " + sid);
        }

        @Override
        public void channelFailed(int cid) {
            events.add("failed " + cid);
        }

        @Override
        public void value(int subscription, int status, ByteBuffer value) {
            byte[] b = new byte[value.remaining()];
            value.get(b);
            int end = 0;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            events.add("value " + subscription + " status " + status + " '" + new String(b, 0, end, StandardCharsets.US_ASCII)
                    + "' (" + b.length + " bytes)");
        }

        @Override
        public void error() {
            events.add("error");
        }

        @Override
        public void found(int searchId) {
            events.add("found " + searchId);
        }

        @Override
        public void notFound(int searchId) {
            events.add("not found " + searchId);
        }
    }

    @Test
    void searchAnswersAreHeardWithTheSearchIdOfTheirSecondParameterAndTheirPayloadSkipped() {
        byte[] minorVersion = ByteBuffer.allocate(8).putShort((short) 13).array(); // rsrv's TCP search reply payload
        byte[] stream = concat(header(CaMessages.SEARCH, 8, 5064, 0, -1, 0x10C), minorVersion,
                header(CaMessages.ECHO, 0, 0, 0, 0, 0),
                header(CaMessages.NOT_FOUND, 0, CaMessages.DOREPLY, 13, 0x10D, 0x10D));
        Said said = new Said();
        assertEquals(1, new CaReplies().feed(ByteBuffer.wrap(stream), said));
        assertEquals(List.of("found 268", "echo", "not found 269"), said.events);
    }

    private static byte[] stringValue(String text) {
        byte[] v = new byte[40];
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, v, 0, t.length);
        return v;
    }

    @Test
    void aHeartbeatChannelItsAccessRightsAndTwoValueUpdatesAreHeardInOrderEvenByteByByte() {
        byte[] stream = concat(header(CaMessages.VERSION, 0, 0, 13, 0, 0),
                header(22, 0, 0, 0, 1, 3), // ACCESS_RIGHTS: skipped
                header(CaMessages.CREATE_CHAN, 0, 5, 1, 1, 77),
                header(CaMessages.EVENT_ADD, 40, 0, 1, CaMessages.ECA_NORMAL, 1), stringValue("41"),
                header(CaMessages.ECHO, 0, 0, 0, 0, 0),
                header(CaMessages.EVENT_ADD, 40, 0, 1, CaMessages.ECA_NORMAL, 1), stringValue("42"));
        List<String> expected = List.of("channel 1 sid 77", "value 1 status 1 '41' (40 bytes)", "echo",
                "value 1 status 1 '42' (40 bytes)");
        Said whole = new Said();
        assertEquals(1, new CaReplies().feed(ByteBuffer.wrap(stream), whole));
        assertEquals(expected, whole.events);
        Said bytes = new Said();
        CaReplies replies = new CaReplies();
        for (int i = 0; i < stream.length; i++) {
            replies.feed(ByteBuffer.wrap(stream, i, 1), bytes);
        }
        assertEquals(expected, bytes.events);
    }

    @Test
    void anOversizedValueIsCutToItsFirstFortyBytesAndTheRestSkippedWithoutHidingTheNextMessage() {
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'A');
        big[16 * 10 + 1] = CaMessages.ECHO; // echo-shaped bytes inside the value, past what is kept
        byte[] stream = concat(header(CaMessages.EVENT_ADD, 0xFFFF, 0, 0, CaMessages.ECA_NORMAL, 1),
                ByteBuffer.allocate(8).putInt(big.length).putInt(2500).array(), big,
                header(CaMessages.CREATE_CH_FAIL, 0, 0, 0, 9, 0), header(CaMessages.ERROR, 0, 0, 0, 0, 0));
        Said said = new Said();
        assertEquals(0, new CaReplies().feed(ByteBuffer.wrap(stream), said));
        assertEquals(List.of("value 1 status 1 '" + "A".repeat(40) + "' (40 bytes)", "failed 9", "error"), said.events);
    }

    @Test
    void aValueUpdateWithAnErrorStatusAndNoPayloadIsHeardWithItsStatus() {
        Said said = new Said();
        new CaReplies().feed(ByteBuffer.wrap(header(CaMessages.EVENT_ADD, 0, 0, 1, 48, 1)), said);
        assertEquals(List.of("value 1 status 48 '' (0 bytes)"), said.events);
    }

    @Test
    void aHeartbeatsCreateChannelAndSubscriptionAreEncodedAsTheProtocolSays() {
        ByteBuffer create = CaMessages.createChannel("IOC1:HEARTBEAT", 1);
        assertEquals(CaMessages.CREATE_CHAN, create.getShort(0));
        assertEquals(16, create.getShort(2), "14 characters and a NUL, padded to 16");
        assertEquals(1, create.getInt(8), "the client's channel id");
        assertEquals(CaMessages.MINOR_VERSION, create.getInt(12), "the client's minor version");
        assertEquals(32, create.remaining());
        assertEquals("IOC1:HEARTBEAT\0\0", new String(create.array(), 16, 16, StandardCharsets.US_ASCII));
        ByteBuffer sub = CaMessages.subscribe(77, 1);
        assertEquals(CaMessages.EVENT_ADD, sub.getShort(0));
        assertEquals(16, sub.getShort(2));
        assertEquals(CaMessages.DBR_STRING, sub.getShort(4));
        assertEquals(1, sub.getShort(6), "one element");
        assertEquals(77, sub.getInt(8), "the server's channel id");
        assertEquals(1, sub.getInt(12), "the subscription id");
        assertEquals(CaMessages.DBE_VALUE, sub.getShort(28), "value changes");
        assertEquals(32, sub.remaining());
    }
}
