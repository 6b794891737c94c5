package io.iocagent.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CA name search's bytes and its reading of answers, honest and hostile. Real rsrv answers are
 * covered by {@code WhichIocIT}; here the server's side is hand-made bytes.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CaNameSearchTest {

    private static byte[] header(int command, int payload, int type, int count, int p1, int p2) {
        return ByteBuffer.allocate(16).putShort((short) command).putShort((short) payload).putShort((short) type)
                .putShort((short) count).putInt(p1).putInt(p2).array();
    }

    private static InputStream stream(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        for (byte[] p : parts) {
            b.put(p);
        }
        return new ByteArrayInputStream(b.array(), 0, b.position());
    }

    @Test
    void theRequestIsVersionThenSearchWithReplyWantedAndAPaddedName() {
        ByteBuffer b = ByteBuffer.wrap(CaNameSearch.request("IOC:temp"));
        assertEquals(16 + 16 + 16, b.capacity(), "8 name bytes + NUL pad to 16");
        assertEquals(0, b.getShort(0), "CA_PROTO_VERSION");
        assertEquals(13, b.getShort(6), "minor version 13");
        assertEquals(6, b.getShort(16), "CA_PROTO_SEARCH");
        assertEquals(16, b.getShort(18), "payload size, padded to 8");
        assertEquals(10, b.getShort(20), "DOREPLY: a server without the name says so");
        assertEquals(b.getInt(24), b.getInt(28), "the search id in both parameters");
        assertEquals('I', b.get(32));
        assertEquals(0, b.get(40), "NUL after the name");
    }

    @Test
    void aSearchReplyWithOurIdMeansServedAndNotFoundMeansNot() throws IOException {
        byte[] version = header(0, 0, 0, 13, 0, 0);
        assertEquals(CaNameSearch.Answer.SERVED,
                CaNameSearch.answer(stream(version, header(6, 0, 5064, 0, -1, 0x10C))));
        assertEquals(CaNameSearch.Answer.NOT_SERVED,
                CaNameSearch.answer(stream(version, header(14, 0, 10, 13, 0x10C, 0x10C))));
    }

    @Test
    void otherMessagesAndExtendedHeadersAreSkipped() throws IOException {
        byte[] extended = ByteBuffer.allocate(24 + 32).putShort((short) 1).putShort((short) 0xFFFF).putShort((short) 0)
                .putShort((short) 0).putInt(0).putInt(0).putInt(32).putInt(1).array();
        byte[] otherSearch = header(6, 0, 5064, 0, -1, 0x999); // not our id
        assertEquals(CaNameSearch.Answer.NOT_SERVED, CaNameSearch.answer(stream(extended, otherSearch,
                header(14, 0, 10, 13, 0x10C, 0x10C))));
    }

    @Test
    void aServerThatTalksWithoutAnsweringIsCutOff() {
        byte[] noise = new byte[CaNameSearch.MAX_REPLY_BYTES + 64];
        ByteBuffer.wrap(noise).putShort((short) 1).putShort((short) 0xFFF0); // one huge message, never an answer
        IOException e = assertThrows(IOException.class, () -> CaNameSearch.answer(stream(noise)));
        assertTrue(e.getMessage().contains("without answering"), e.getMessage());
    }

    @Test
    void aServerThatClosesTheCircuitSaysSo() {
        IOException e = assertThrows(IOException.class, () -> CaNameSearch.answer(stream(header(0, 0, 0, 13, 0, 0))));
        assertTrue(e.getMessage().contains("closed the circuit"), e.getMessage());
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread holder = new Thread(() -> {
                try (Socket s = silent.accept()) {
                    s.getInputStream().readAllBytes(); // reads, never writes, until the client gives up
                } catch (IOException ignored) {
                    // the client closed
                }
            });
            holder.start();
            IOException e = assertThrows(IOException.class, () -> new CaNameSearch(Duration.ofMillis(300))
                    .ask(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()), "X:y"));
            assertTrue(e.getMessage().contains("no answer within 300 ms"), e.getMessage());
        }
    }

    @Test
    void namesThatCannotBeAskedForAreRefusedWithTheReason() {
        assertNull(CaNameSearch.problem("IOC:temp.EGU"));
        assertNull(CaNameSearch.problem("a".repeat(CaNameSearch.MAX_NAME_BYTES)));
        assertTrue(CaNameSearch.problem("").contains("empty"));
        assertTrue(CaNameSearch.problem("a".repeat(CaNameSearch.MAX_NAME_BYTES + 1)).contains("1025 characters long"));
        assertTrue(CaNameSearch.problem("IOC:te mp").contains("a space at position 7"));
        assertTrue(CaNameSearch.problem("IOC:\u0000x").contains("control character U+0000 at position 5"));
        assertTrue(CaNameSearch.problem("IOC:\u001b[2J").contains("control character U+001B"));
        assertTrue(CaNameSearch.problem("IOC:tëmp").contains("non-ASCII character U+00EB at position 6"));
        assertThrows(IllegalArgumentException.class, () -> new CaNameSearch(Duration.ofSeconds(1))
                .ask(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), "bad name"));
    }
}
