package io.iocagent.probe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The few Channel Access messages the probe sends and the one it waits for, as the CA protocol
 * specification (EPICS base, "Channel Access Protocol Specification", protocol 4.13) lays them
 * out: a 16-byte big-endian header {@code command, payload size, data type, data count,
 * parameter 1, parameter 2} followed by a payload padded to a multiple of 8 bytes.
 *
 * <ul>
 *   <li>{@code CA_PROTO_VERSION} (0): the first message on a new circuit; the data count carries
 *       the client's minor version. A 4.11+ server sends its own at once after accepting.</li>
 *   <li>{@code CA_PROTO_CLIENT_NAME} (20): names the client, so {@code casr} on the IOC shows who
 *       this circuit is.</li>
 *   <li>{@code CA_PROTO_ECHO} (23, since 4.3): the server answers with the same header; the
 *       exchange CA clients themselves use to tell a live circuit from a dead one.</li>
 * </ul>
 * Written by hand: the Java CA library ({@code org.epics:jca}) reaches a server only through a
 * channel (a PV name found by a UDP search) and keeps its echo request internal.
 */
final class CaMessages {

    static final int HEADER_BYTES = 16;
    static final int VERSION = 0;
    static final int CLIENT_NAME = 20;
    static final int ECHO = 23;
    /** The minor protocol version this client speaks (EPICS 3.14 and later). */
    static final int MINOR_VERSION = 13;
    /** What the IOC's {@code casr} shows as this circuit's user. */
    static final String CLIENT = "ioc-agent-probe";

    private CaMessages() {
    }

    /** VERSION, CLIENT_NAME and ECHO: what a probe sends on a circuit it just opened. */
    static ByteBuffer greeting() {
        byte[] name = CLIENT.getBytes(StandardCharsets.US_ASCII);
        int padded = (name.length + 1 + 7) / 8 * 8; // NUL-terminated, padded to 8
        ByteBuffer b = ByteBuffer.allocate(3 * HEADER_BYTES + padded);
        header(b, VERSION, 0, 0, MINOR_VERSION);
        header(b, CLIENT_NAME, padded, 0, 0);
        b.put(name).put(new byte[padded - name.length]);
        header(b, ECHO, 0, 0, 0);
        return b.flip();
    }

    /** One ECHO request. */
    static ByteBuffer echo() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        header(b, ECHO, 0, 0, 0);
        return b.flip();
    }

    private static void header(ByteBuffer b, int command, int payload, int type, int count) {
        b.putShort((short) command).putShort((short) payload).putShort((short) type).putShort((short) count)
                .putInt(0).putInt(0);
    }
}
