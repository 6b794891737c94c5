package io.iocagent.dbus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One D-Bus message in the wire format of the D-Bus specification ("Message Format"): the calls a
 * read-only client makes are encoded ({@link #methodCall}), and any message is decoded
 * ({@link #decode}) with its body read into plain Java values.
 *
 * <p>Decoded values: {@code y} → Byte, {@code b} → Boolean, {@code n q i u h} → Integer (u as its
 * bits; use {@link Integer#toUnsignedLong}), {@code x t} → Long (t as its bits, so
 * {@code UINT64_MAX} is -1), {@code d} → Double, {@code s o g} → String, arrays → List,
 * structs → List, dict entries → Map.Entry inside a List (maps are lists of entries, in order),
 * variants → their value. The values themselves are marshalled by {@link ValueWriter} and read,
 * bounded by the message, by {@link ValueReader}; this class holds the message's header layout.
 *
 * @param type        {@link #METHOD_CALL}, {@link #METHOD_RETURN}, {@link #ERROR} or {@link #SIGNAL}
 * @param serial      this message's serial
 * @param replySerial the serial this replies to, 0 if none
 * @param errorName   the error name of an {@link #ERROR}, else null
 * @param signature   the body's signature, empty for none
 * @param body        the body's values, one per complete type of the signature
 * @param member      the member of a method call or signal, else null
 */
public record Message(int type, int serial, int replySerial, String errorName, String signature, List<Object> body,
                      String member) {

    public static final int METHOD_CALL = 1;
    public static final int METHOD_RETURN = 2;
    public static final int ERROR = 3;
    public static final int SIGNAL = 4;

    /** The largest message the specification allows (128 MiB); longer ones are refused unread. */
    public static final int MAX_LENGTH = 128 * 1024 * 1024;

    private static final int FIELD_PATH = 1;
    private static final int FIELD_INTERFACE = 2;
    private static final int FIELD_MEMBER = 3;
    private static final int FIELD_ERROR_NAME = 4;
    private static final int FIELD_REPLY_SERIAL = 5;
    private static final int FIELD_DESTINATION = 6;
    private static final int FIELD_SIGNATURE = 8;

    public Message {
        Objects.requireNonNull(signature, "signature");
        body = List.copyOf(body);
    }

    /** The first body value as text (an error's message), or "" when there is none. */
    public String firstString() {
        return !body.isEmpty() && body.get(0) instanceof String s ? s : "";
    }

    // ---- encoding ---------------------------------------------------------------------------

    /**
     * A method call whose arguments are strings ({@code s}) and string arrays ({@code as}), in
     * little-endian byte order.
     *
     * @param destination the bus name, or null on a peer-to-peer connection
     * @param args        String or List of String, matching {@code signature}
     */
    public static byte[] methodCall(int serial, String destination, String path, String iface, String member,
                                    String signature, Object... args) {
        ValueWriter body = new ValueWriter();
        int at = 0;
        for (Object arg : args) {
            char code = signature.charAt(at);
            if (code == 's' && arg instanceof String s) {
                body.string(s);
                at++;
            } else if (code == 'a' && signature.charAt(at + 1) == 's' && arg instanceof List<?> list) {
                body.align(4);
                int lengthAt = body.size();
                body.uint32(0);
                int start = body.size();
                for (Object item : list) {
                    body.string((String) item);
                }
                body.patch(lengthAt, body.size() - start);
                at += 2;
            } else {
                throw new IllegalArgumentException("Unsupported argument " + arg + " for signature " + signature);
            }
        }
        if (at != signature.length()) {
            throw new IllegalArgumentException("Arguments do not fill signature " + signature);
        }
        byte[] bodyBytes = body.toByteArray();

        ValueWriter m = new ValueWriter();
        m.bytes('l', METHOD_CALL, 0, 1);
        m.uint32(bodyBytes.length);
        m.uint32(serial);
        int lengthAt = m.size();
        m.uint32(0);
        int start = m.size();
        m.field(FIELD_PATH, "o", path);
        m.field(FIELD_INTERFACE, "s", iface);
        m.field(FIELD_MEMBER, "s", member);
        if (destination != null) {
            m.field(FIELD_DESTINATION, "s", destination);
        }
        if (!signature.isEmpty()) {
            m.field(FIELD_SIGNATURE, "g", signature);
        }
        m.patch(lengthAt, m.size() - start);
        m.align(8);
        m.raw(bodyBytes);
        return m.toByteArray();
    }

    /**
     * Total length of the message whose first 16 bytes are {@code fixed}, or throws when the
     * header is not a D-Bus header or the message is longer than {@link #MAX_LENGTH}.
     */
    public static int length(ByteBuffer fixed) throws ProtocolException {
        ByteBuffer b = fixed.duplicate().order(order(fixed.get(0)));
        if (b.get(3) != 1) {
            throw new ProtocolException("unsupported D-Bus protocol version " + b.get(3));
        }
        long body = Integer.toUnsignedLong(b.getInt(4));
        long fields = Integer.toUnsignedLong(b.getInt(12));
        long total = pad8(16 + fields) + body;
        if (total > MAX_LENGTH) {
            throw new ProtocolException("message of " + total + " bytes exceeds the D-Bus limit");
        }
        return (int) total;
    }

    /** Decodes one whole message. */
    public static Message decode(ByteBuffer whole) throws ProtocolException {
        ByteBuffer b = whole.duplicate().order(order(whole.get(0)));
        try {
            int type = b.get(1);
            int bodyLength = b.getInt(4);
            int serial = b.getInt(8);
            int fieldsLength = b.getInt(12);
            ValueReader fields = new ValueReader(b, 16, 16 + fieldsLength);
            int replySerial = 0;
            String errorName = null;
            String member = null;
            String signature = "";
            while (fields.hasMore()) {
                int code = fields.fieldCode();
                Object value = fields.value("v");
                switch (code) {
                    case FIELD_REPLY_SERIAL -> replySerial = (Integer) value;
                    case FIELD_ERROR_NAME -> errorName = (String) value;
                    case FIELD_SIGNATURE -> signature = (String) value;
                    case FIELD_MEMBER -> member = (String) value;
                    default -> {
                        // path, interface, destination, sender, fds: not needed by a client
                    }
                }
            }
            int bodyStart = (int) pad8(16 + Integer.toUnsignedLong(fieldsLength));
            ValueReader body = new ValueReader(b, bodyStart, bodyStart + bodyLength);
            List<Object> values = new ArrayList<>();
            int at = 0;
            while (at < signature.length()) {
                int next = Signature.end(signature, at);
                values.add(body.value(signature.substring(at, next)));
                at = next;
            }
            return new Message(type, serial, replySerial, errorName, signature, values, member);
        } catch (IndexOutOfBoundsException | ClassCastException | java.nio.BufferUnderflowException e) {
            throw new ProtocolException("malformed D-Bus message: " + e);
        }
    }

    private static ByteOrder order(byte endian) throws ProtocolException {
        return switch (endian) {
            case 'l' -> ByteOrder.LITTLE_ENDIAN;
            case 'B' -> ByteOrder.BIG_ENDIAN;
            default -> throw new ProtocolException("not a D-Bus message (endianness byte " + endian + ")");
        };
    }

    private static long pad8(long n) {
        return (n + 7) & ~7L;
    }

    /** A malformed or oversized message: the connection cannot be trusted after it. */
    public static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        public ProtocolException(String message) {
            super(message);
        }
    }
}
