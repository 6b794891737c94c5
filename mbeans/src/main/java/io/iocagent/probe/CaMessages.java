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
 *   <li>For a heartbeat PV ({@link Heartbeats}): {@code CA_PROTO_CREATE_CHAN} (18; parameter 1 the
 *       client's channel id, parameter 2 its minor version, the name as payload), answered by
 *       {@code CA_PROTO_CREATE_CHAN} (parameter 2 the server's id) or {@code CA_PROTO_CREATE_CH_FAIL}
 *       (26); then {@code CA_PROTO_EVENT_ADD} (1; a subscription to value changes, parameter 1 the
 *       server's channel id, parameter 2 the subscription id, a 16-byte payload: three floats and
 *       the event mask), answered by one {@code CA_PROTO_EVENT_ADD} per change carrying the value
 *       (parameter 1 the status, {@code ECA_NORMAL} = 1).</li>
 * </ul>
 * Written by hand: the Java CA library ({@code org.epics:jca}) reaches a server only through a
 * channel (a PV name found by a UDP search) and keeps its echo request internal.
 */
final class CaMessages {

    static final int HEADER_BYTES = 16;
    static final int VERSION = 0;
    static final int EVENT_ADD = 1;
    static final int ERROR = 11;
    static final int CREATE_CHAN = 18;
    static final int CLIENT_NAME = 20;
    static final int ECHO = 23;
    static final int CREATE_CH_FAIL = 26;
    /** {@code DBR_STRING}: every scalar reads as up to 40 characters, so a heartbeat of any type compares alike. */
    static final int DBR_STRING = 0;
    /** {@code DBE_VALUE}: an update when the value changes. */
    static final int DBE_VALUE = 1;
    /** {@code ECA_NORMAL}: the status of an update that carries a value. */
    static final int ECA_NORMAL = 1;
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

    /** A channel to {@code pv} (printable ASCII, checked by {@link Heartbeats}) with the client's id {@code cid}. */
    static ByteBuffer createChannel(String pv, int cid) {
        byte[] name = pv.getBytes(StandardCharsets.US_ASCII);
        int padded = (name.length + 1 + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + padded);
        header(b, CREATE_CHAN, padded, 0, 0, cid, MINOR_VERSION);
        b.put(name).put(new byte[padded - name.length]);
        return b.flip();
    }

    /** A subscription {@code subscription} to value changes of the server's channel {@code sid}, one element as a string. */
    static ByteBuffer subscribe(int sid, int subscription) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 16);
        header(b, EVENT_ADD, 16, DBR_STRING, 1, sid, subscription);
        b.putFloat(0f).putFloat(0f).putFloat(0f).putShort((short) DBE_VALUE).putShort((short) 0);
        return b.flip();
    }

    private static void header(ByteBuffer b, int command, int payload, int type, int count) {
        header(b, command, payload, type, count, 0, 0);
    }

    private static void header(ByteBuffer b, int command, int payload, int type, int count, int p1, int p2) {
        b.putShort((short) command).putShort((short) payload).putShort((short) type).putShort((short) count)
                .putInt(p1).putInt(p2);
    }
}
