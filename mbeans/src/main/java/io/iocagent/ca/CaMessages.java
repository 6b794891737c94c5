package io.iocagent.ca;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The Channel Access messages this project sends, as the CA protocol specification (EPICS base,
 * "Channel Access Protocol Specification", protocol 4.13) lays them out: a 16-byte big-endian
 * header {@code command u16, payload size u16, data type u16, data count u16, parameter 1 u32,
 * parameter 2 u32}, followed by a payload padded to a multiple of 8 bytes. {@link CaReplies} reads
 * what a server sends back.
 *
 * <ul>
 *   <li>{@code CA_PROTO_VERSION} (0): the first message on a new circuit; the data count carries
 *       the client's minor version. A 4.11+ server sends its own at once after accepting.</li>
 *   <li>{@code CA_PROTO_SEARCH} (6) with {@code DOREPLY}: does the server have this PV name?
 *       Answered by {@code CA_PROTO_SEARCH} or {@code CA_PROTO_NOT_FOUND} (14) carrying the
 *       search id in parameter 2 (rsrv's {@code search_reply_tcp}, {@code search_fail_reply}).</li>
 *   <li>{@code CA_PROTO_CLIENT_NAME} (20): names the client, so {@code casr} on the IOC shows who
 *       the circuit is.</li>
 *   <li>{@code CA_PROTO_ECHO} (23, since 4.3): the server answers with the same header; the
 *       exchange CA clients themselves use to tell a live circuit from a dead one.</li>
 * </ul>
 * Written by hand: see docs/architecture.md for why the Java CA library does not fit.
 */
public final class CaMessages {

    public static final int HEADER_BYTES = 16;
    public static final int VERSION = 0;
    public static final int SEARCH = 6;
    public static final int NOT_FOUND = 14;
    public static final int CLIENT_NAME = 20;
    public static final int ECHO = 23;
    /** A search's data type: the server answers NOT_FOUND rather than staying silent. */
    public static final int DOREPLY = 10;
    /** The minor protocol version this client speaks (EPICS 3.14 and later). */
    public static final int MINOR_VERSION = 13;

    private CaMessages() {
    }

    /** VERSION, CLIENT_NAME {@code client} and ECHO: what a client sends on a circuit it just opened to watch it. */
    public static ByteBuffer greeting(String client) {
        byte[] name = client.getBytes(StandardCharsets.US_ASCII);
        int padded = padded(name.length);
        ByteBuffer b = ByteBuffer.allocate(3 * HEADER_BYTES + padded);
        header(b, VERSION, 0, 0, MINOR_VERSION, 0, 0);
        header(b, CLIENT_NAME, padded, 0, 0, 0, 0);
        b.put(name).put(new byte[padded - name.length]);
        header(b, ECHO, 0, 0, 0, 0, 0);
        return b.flip();
    }

    /** One ECHO request. */
    public static ByteBuffer echo() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        header(b, ECHO, 0, 0, 0, 0, 0);
        return b.flip();
    }

    /**
     * VERSION, then SEARCH with {@link #DOREPLY} for {@code pvName} (printable ASCII), the id in
     * both parameters; the name NUL-terminated and padded to 8.
     */
    public static ByteBuffer search(String pvName, int searchId) {
        byte[] name = pvName.getBytes(StandardCharsets.US_ASCII);
        int padded = padded(name.length);
        ByteBuffer b = ByteBuffer.allocate(2 * HEADER_BYTES + padded);
        header(b, VERSION, 0, 0, MINOR_VERSION, 0, 0);
        header(b, SEARCH, padded, DOREPLY, MINOR_VERSION, searchId, searchId);
        b.put(name).put(new byte[padded - name.length]);
        return b.flip();
    }

    /** The payload size of a NUL-terminated text of {@code length} bytes, padded to 8. */
    private static int padded(int length) {
        return (length + 1 + 7) / 8 * 8;
    }

    private static void header(ByteBuffer b, int command, int payload, int type, int count, int p1, int p2) {
        b.putShort((short) command).putShort((short) payload).putShort((short) type).putShort((short) count)
                .putInt(p1).putInt(p2);
    }
}
