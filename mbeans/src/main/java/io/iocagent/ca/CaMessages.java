package io.iocagent.ca;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The Channel Access messages this project sends — the hang probe's and {@code which}'s name
 * search — as the CA protocol specification (EPICS base, "Channel Access Protocol Specification",
 * protocol 4.13) lays them out: a 16-byte big-endian header {@code command u16, payload size u16,
 * data type u16, data count u16, parameter 1 u32, parameter 2 u32} followed by a payload padded to
 * a multiple of 8 bytes. {@link CaReplies} reads what a server sends back.
 *
 * <ul>
 *   <li>{@code CA_PROTO_VERSION} (0): the first message on a new circuit; the data count carries
 *       the client's minor version. A 4.11+ server sends its own at once after accepting.</li>
 *   <li>{@code CA_PROTO_SEARCH} (6) with {@code DOREPLY}: does the server have this PV name?
 *       Answered by {@code CA_PROTO_SEARCH} or {@code CA_PROTO_NOT_FOUND} (14), each carrying the
 *       search id in parameter 2 (rsrv's {@code search_reply_tcp}, {@code search_fail_reply}).</li>
 *   <li>{@code CA_PROTO_CLIENT_NAME} (20): names the client, so {@code casr} on the IOC shows who
 *       the circuit is.</li>
 *   <li>{@code CA_PROTO_ECHO} (23, since 4.3): the server answers with the same header; the
 *       exchange CA clients themselves use to tell a live circuit from a dead one.</li>
 *   <li>For a heartbeat PV (the probe's {@code Heartbeats}): {@code CA_PROTO_CREATE_CHAN} (18; parameter 1 the
 *       client's channel id, parameter 2 its minor version, the name as payload), answered by
 *       {@code CA_PROTO_CREATE_CHAN} (parameter 2 the server's id) or {@code CA_PROTO_CREATE_CH_FAIL}
 *       (26); then {@code CA_PROTO_EVENT_ADD} (1; a subscription to value changes, parameter 1 the
 *       server's channel id, parameter 2 the subscription id, a 16-byte payload: three floats and
 *       the event mask), answered by one {@code CA_PROTO_EVENT_ADD} per change carrying the value
 *       (parameter 1 the status, {@code ECA_NORMAL} = 1).</li>
 * </ul>
 * Written by hand: see docs/architecture.md for why the Java CA library does not fit.
 */
public final class CaMessages {

    public static final int HEADER_BYTES = 16;
    public static final int VERSION = 0;
    public static final int EVENT_ADD = 1;
    public static final int SEARCH = 6;
    public static final int ERROR = 11;
    public static final int NOT_FOUND = 14;
    public static final int CREATE_CHAN = 18;
    public static final int CLIENT_NAME = 20;
    public static final int ECHO = 23;
    public static final int CREATE_CH_FAIL = 26;
    /** A search's data type: a server without the name answers NOT_FOUND rather than staying silent. */
    public static final int DOREPLY = 10;
    /** {@code DBR_STRING}: every scalar reads as up to 40 characters, so a heartbeat of any type compares alike. */
    public static final int DBR_STRING = 0;
    /** {@code DBE_VALUE}: an update when the value changes. */
    public static final int DBE_VALUE = 1;
    /** {@code ECA_NORMAL}: the status of an update that carries a value. */
    public static final int ECA_NORMAL = 1;
    /** The minor protocol version this client speaks (EPICS 3.14 and later). */
    public static final int MINOR_VERSION = 13;

    private CaMessages() {
    }

    /** VERSION, CLIENT_NAME {@code client} and ECHO: what a client watching a server sends on a circuit it just opened. */
    public static ByteBuffer greeting(String client) {
        byte[] name = client.getBytes(StandardCharsets.US_ASCII);
        int padded = (name.length + 1 + 7) / 8 * 8; // NUL-terminated, padded to 8
        ByteBuffer b = ByteBuffer.allocate(3 * HEADER_BYTES + padded);
        header(b, VERSION, 0, 0, MINOR_VERSION);
        header(b, CLIENT_NAME, padded, 0, 0);
        b.put(name).put(new byte[padded - name.length]);
        header(b, ECHO, 0, 0, 0);
        return b.flip();
    }

    /** One ECHO request. */
    public static ByteBuffer echo() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        header(b, ECHO, 0, 0, 0);
        return b.flip();
    }

    /** A channel to {@code pv} (printable ASCII, see {@link CaNameSearch#problem}) with the client's id {@code cid}. */
    public static ByteBuffer createChannel(String pv, int cid) {
        byte[] name = pv.getBytes(StandardCharsets.US_ASCII);
        int padded = (name.length + 1 + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + padded);
        header(b, CREATE_CHAN, padded, 0, 0, cid, MINOR_VERSION);
        b.put(name).put(new byte[padded - name.length]);
        return b.flip();
    }

    /** A subscription {@code subscription} to value changes of the server's channel {@code sid}, one element as a string. */
    public static ByteBuffer subscribe(int sid, int subscription) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 16);
        header(b, EVENT_ADD, 16, DBR_STRING, 1, sid, subscription);
        b.putFloat(0f).putFloat(0f).putFloat(0f).putShort((short) DBE_VALUE).putShort((short) 0);
        return b.flip();
    }

    /**
     * VERSION, then SEARCH with {@link #DOREPLY} for {@code pvName} (printable ASCII, see
     * {@link CaNameSearch#problem}), the id in both parameters; the name NUL-terminated and padded to 8.
     */
    public static ByteBuffer search(String pvName, int searchId) {
        byte[] name = pvName.getBytes(StandardCharsets.US_ASCII);
        int padded = (name.length + 1 + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(2 * HEADER_BYTES + padded);
        header(b, VERSION, 0, 0, MINOR_VERSION);
        header(b, SEARCH, padded, DOREPLY, MINOR_VERSION, searchId, searchId);
        b.put(name).put(new byte[padded - name.length]);
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
