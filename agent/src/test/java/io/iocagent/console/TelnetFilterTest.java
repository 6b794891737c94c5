package io.iocagent.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TelnetFilterTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Decodes {@code input} with one filter, fed in the given chunk sizes (cycled). */
    private static byte[] decode(byte[] input, int... chunkSizes) {
        TelnetFilter f = new TelnetFilter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        int c = 0;
        while (pos < input.length) {
            int len = Math.min(chunkSizes[c++ % chunkSizes.length], input.length - pos);
            byte[] chunk = Arrays.copyOfRange(input, pos, pos + len);
            int kept = f.filter(chunk, 0, len);
            out.write(chunk, 0, kept);
            pos += len;
        }
        return out.toByteArray();
    }

    /** What procServ 2.7.0 sent after its banner in the observed transcript, plus the IOC's reply. */
    private static final byte[] PROCSERV_STREAM = concat(
            ascii("@@@ 0 user(s) and 0 logger(s) connected (plus you)\r\n"),
            bytes(0xFF, 0xFB, 0x01, 0xFF, 0xFD, 0x22),
            ascii("hello\r\nhello\r\nepics> "));

    @Test
    void stripsTheNegotiationProcServSendsAfterItsBanner() {
        assertEquals("@@@ 0 user(s) and 0 logger(s) connected (plus you)\r\nhello\r\nhello\r\nepics> ",
                new String(decode(PROCSERV_STREAM, PROCSERV_STREAM.length), StandardCharsets.ISO_8859_1));
    }

    @Test
    void decodesTheSameWhateverTheChunkBoundaries() {
        byte[] input = concat(PROCSERV_STREAM,
                bytes(0xFF, 0xFA, 0x18, 0x00, 0xFF, 0xFF, 'x', 0xFF, 0xF0),   // SB with an escaped IAC inside
                ascii("a"), bytes(0xFF, 0xFF), ascii("b"),                    // data 0xFF
                bytes(0xFF, 0xF1), ascii("c"),                                // NOP
                bytes(0xFF, 0xFE, 0x01), ascii("d"));                         // DONT ECHO
        byte[] whole = decode(input, input.length);
        for (int size = 1; size <= 7; size++) {
            assertArrayEquals(whole, decode(input, size), "chunks of " + size);
        }
        for (int split = 1; split < input.length; split++) {
            assertArrayEquals(whole, decode(input, split, input.length), "split at " + split);
        }
        assertTrue(new String(whole, StandardCharsets.ISO_8859_1).endsWith("epics> a\u00FFbcd"));
    }

    @Test
    void collapsesADoubledIacToOneDataByte() {
        assertArrayEquals(bytes('a', 0xFF, 'b'), decode(bytes('a', 0xFF, 0xFF, 'b'), 1));
    }

    @Test
    void dropsEveryOptionCommand() {
        assertArrayEquals(ascii("xy"), decode(bytes('x', 0xFF, 0xFB, 1, 0xFF, 0xFC, 1, 0xFF, 0xFD, 0x22, 0xFF, 0xFE, 0x22, 'y'), 3));
    }

    @Test
    void dropsOtherTwoByteCommandsIncludingAStraySe() {
        assertArrayEquals(ascii("xyz"), decode(bytes('x', 0xFF, 0xF9, 'y', 0xFF, 0xF6, 0xFF, 0xF0, 'z'), 2));
    }

    @Test
    void dropsASubnegotiationUpToIacSeEvenWhenItHoldsIacIac() {
        assertArrayEquals(ascii("ab"), decode(bytes('a', 0xFF, 0xFA, 0x1F, 0, 80, 0xFF, 0xFF, 0xFF, 0xF0, 'b'), 1));
    }

    @Test
    void passesNulAndCrThroughAsData() {
        assertArrayEquals(bytes('\r', 0, '\n', '\r'), decode(bytes('\r', 0, '\n', '\r'), 1));
    }

    @Test
    void remembersAnUnfinishedCommandUntilTheNextChunk() {
        TelnetFilter f = new TelnetFilter();
        byte[] first = bytes('a', 0xFF);
        assertEquals(1, f.filter(first, 0, 2));
        assertTrue(f.inCommand());
        byte[] second = bytes(0xFD, 0x22, 'b');
        assertEquals(1, f.filter(second, 0, 3));
        assertEquals('b', second[0]);
        assertFalse(f.inCommand());
    }

    @Test
    void filtersInPlaceAtAnOffset() {
        byte[] buf = bytes('#', '#', 'a', 0xFF, 0xFB, 0x01, 'b', '#');
        int kept = new TelnetFilter().filter(buf, 2, 5);
        assertEquals(2, kept);
        assertArrayEquals(bytes('#', '#', 'a', 'b'), Arrays.copyOf(buf, 4));
    }

    @Test
    void decodingStreamSkipsChunksThatHoldOnlyCommandsInsteadOfReturningZero() throws IOException {
        InputStream chunky = new InputStream() {
            private final byte[][] chunks = {bytes(0xFF, 0xFB), bytes(0x01), bytes(0xFF, 0xFD, 0x22), ascii("ok")};
            private int next;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (next == chunks.length) {
                    return -1;
                }
                byte[] c = chunks[next++];
                System.arraycopy(c, 0, b, off, c.length);
                return c.length;
            }
        };
        InputStream in = TelnetFilter.decoding(chunky);
        byte[] buf = new byte[16];
        assertEquals(2, in.read(buf, 0, buf.length));
        assertEquals("ok", new String(buf, 0, 2, StandardCharsets.US_ASCII));
        assertEquals(-1, in.read(buf, 0, buf.length));
    }

    @Test
    void decodingStreamReadsSingleBytesAndReportsEndOfStream() throws IOException {
        InputStream in = TelnetFilter.decoding(new ByteArrayInputStream(bytes(0xFF, 0xFF, 0xFF, 0xF1, 'z')));
        assertEquals(0xFF, in.read());
        assertEquals('z', in.read());
        assertEquals(-1, in.read());
    }

    @Test
    void escapeDoublesEveryIacAndNothingElse() {
        assertArrayEquals(bytes('a', 0xFF, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, '\n'),
                TelnetFilter.escape(bytes('#', 'a', 0xFF, 0x01, 0xFF, 0xFF, '\n', '#'), 1, 6));
    }

    @Test
    void escapingStreamDoublesIacInArrayAndSingleByteWrites() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = TelnetFilter.escaping(sink);
        out.write(bytes('x', 0xFF));
        out.write(0xFF);
        out.write('y');
        assertArrayEquals(bytes('x', 0xFF, 0xFF, 0xFF, 0xFF, 'y'), sink.toByteArray());
    }

    @Test
    void everyByteValueSurvivesEscapeThenDecode() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        byte[] escaped = TelnetFilter.escape(all, 0, all.length);
        assertEquals(257, escaped.length);
        assertArrayEquals(all, decode(escaped, 1));
    }
}
