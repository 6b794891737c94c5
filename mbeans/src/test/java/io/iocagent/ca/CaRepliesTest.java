package io.iocagent.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
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
        assertEquals(1, new CaReplies().echoes(ByteBuffer.wrap(stream)));
    }

    @Test
    void anEchoSplitAcrossReadsOneByteAtATimeIsCountedOnceWhenComplete() {
        byte[] stream = concat(header(CaMessages.VERSION, 0, 13), header(CaMessages.ECHO, 0, 0));
        CaReplies replies = new CaReplies();
        int echoes = 0;
        for (int i = 0; i < stream.length; i++) {
            int n = replies.echoes(ByteBuffer.wrap(stream, i, 1));
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
        assertEquals(1, new CaReplies().echoes(ByteBuffer.wrap(stream)));
    }

    @Test
    void anExtendedHeaderIsReadWithItsThirtyTwoBitPayloadSizeAndTheFollowingEchoIsFound() {
        byte[] extended = concat(header(1, 0xFFFF, 0), ByteBuffer.allocate(8).putInt(40).putInt(5).array(),
                new byte[40]);
        assertEquals(1, new CaReplies().echoes(ByteBuffer.wrap(concat(extended, header(CaMessages.ECHO, 0, 0)))));
    }

    @Test
    void aHugeAnnouncedPayloadIsSkippedWithoutBeingBufferedAndHidesNoEcho() {
        CaReplies replies = new CaReplies();
        byte[] huge = concat(header(1, 0xFFFF, 0), ByteBuffer.allocate(8).putInt(0x7FFF_FFFF).putInt(1).array());
        assertEquals(0, replies.echoes(ByteBuffer.wrap(huge)));
        byte[] noise = new byte[64 * 1024];
        Arrays.fill(noise, (byte) 0);
        for (int i = 0; i < 100; i++) {
            noise[16 * (i % 100) + 1] = CaMessages.ECHO; // echo-shaped bytes inside the payload
            assertEquals(0, replies.echoes(ByteBuffer.wrap(noise)), "bytes of an announced payload are no messages");
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
        assertEquals(1, new CaReplies().echoes(g.duplicate()));
    }

    @Test
    void eachHeaderIsReturnedWithItsCommandPayloadSizeAndSecondParameter() {
        byte[] search = ByteBuffer.allocate(16).putShort((short) CaMessages.SEARCH).putShort((short) 8)
                .putShort((short) 5064).putShort((short) 0).putInt(-1).putInt(0x10C).array();
        ByteBuffer in = ByteBuffer.wrap(concat(search, new byte[8], header(CaMessages.NOT_FOUND, 0, 0)));
        CaReplies replies = new CaReplies();
        assertEquals(new CaReplies.Header(CaMessages.SEARCH, 8, 0x10C), replies.next(in));
        assertEquals(new CaReplies.Header(CaMessages.NOT_FOUND, 0, 0), replies.next(in));
        assertEquals(null, replies.next(in), "no more messages");
        assertEquals(0, in.remaining());
    }
}
