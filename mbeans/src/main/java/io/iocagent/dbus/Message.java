package io.iocagent.dbus;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * variants → their value.
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
        Writer body = new Writer();
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

        Writer m = new Writer();
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
            Reader fields = new Reader(b, 16, 16 + fieldsLength);
            int replySerial = 0;
            String errorName = null;
            String member = null;
            String signature = "";
            while (fields.pos < fields.end) {
                fields.align(8);
                int code = fields.b.get(fields.pos++) & 0xff;
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
            Reader body = new Reader(b, bodyStart, bodyStart + bodyLength);
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

    /** Where a complete type ends inside a signature. */
    static final class Signature {
        private Signature() {
        }

        static int end(String sig, int at) throws ProtocolException {
            if (at >= sig.length()) {
                throw new ProtocolException("truncated signature " + sig);
            }
            char c = sig.charAt(at);
            switch (c) {
                case 'a':
                    return end(sig, at + 1);
                case '(':
                case '{': {
                    char close = c == '(' ? ')' : '}';
                    int i = at + 1;
                    while (i < sig.length() && sig.charAt(i) != close) {
                        i = end(sig, i);
                    }
                    if (i >= sig.length()) {
                        throw new ProtocolException("unbalanced signature " + sig);
                    }
                    return i + 1;
                }
                default:
                    if ("ybnqiuxtdsoghv".indexOf(c) < 0) {
                        throw new ProtocolException("unsupported type '" + c + "' in signature " + sig);
                    }
                    return at + 1;
            }
        }
    }

    /** Reads values from a buffer; alignment is relative to the start of the message. */
    private static final class Reader {
        private static final int MAX_DEPTH = 64;
        private final ByteBuffer b;
        private final int end;
        private int pos;
        private int depth;

        Reader(ByteBuffer b, int pos, int end) throws ProtocolException {
            if (end > b.limit() || end < pos) {
                throw new ProtocolException("D-Bus message shorter than its header says");
            }
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        void align(int n) {
            pos = (pos + n - 1) & -n;
        }

        Object value(String sig) throws ProtocolException {
            if (++depth > MAX_DEPTH) {
                throw new ProtocolException("D-Bus value nested too deeply");
            }
            try {
                return read(sig);
            } finally {
                depth--;
            }
        }

        private void need(long n) throws ProtocolException {
            if (n < 0 || pos + n > end) {
                throw new ProtocolException("D-Bus value runs past its message");
            }
        }

        private Object read(String sig) throws ProtocolException {
            char c = sig.charAt(0);
            switch (c) {
                case 'y':
                    need(1);
                    return b.get(pos++);
                case 'b':
                    align(4);
                    need(4);
                    pos += 4;
                    return b.getInt(pos - 4) != 0;
                case 'n':
                case 'q':
                    align(2);
                    need(2);
                    pos += 2;
                    return c == 'n' ? (int) b.getShort(pos - 2) : b.getShort(pos - 2) & 0xffff;
                case 'i':
                case 'u':
                case 'h':
                    align(4);
                    need(4);
                    pos += 4;
                    return b.getInt(pos - 4);
                case 'x':
                case 't':
                    align(8);
                    need(8);
                    pos += 8;
                    return b.getLong(pos - 8);
                case 'd':
                    align(8);
                    need(8);
                    pos += 8;
                    return b.getDouble(pos - 8);
                case 's':
                case 'o': {
                    align(4);
                    need(4);
                    int length = b.getInt(pos);
                    pos += 4;
                    return text(length);
                }
                case 'g': {
                    need(1);
                    int length = b.get(pos++) & 0xff;
                    return text(length);
                }
                case 'v': {
                    String inner = (String) read("g");
                    if (Signature.end(inner, 0) != inner.length()) {
                        throw new ProtocolException("variant signature '" + inner + "' is not one type");
                    }
                    return value(inner);
                }
                case 'a': {
                    align(4);
                    need(4);
                    int length = b.getInt(pos);
                    pos += 4;
                    String element = sig.substring(1, Signature.end(sig, 1));
                    align(alignment(element.charAt(0)));
                    if (length < 0 || (long) pos + length > end) {
                        throw new ProtocolException("D-Bus array runs past its message");
                    }
                    int stop = pos + length;
                    List<Object> items = new ArrayList<>();
                    while (pos < stop) {
                        items.add(value(element));
                    }
                    return items;
                }
                case '(': {
                    align(8);
                    List<Object> fields = new ArrayList<>();
                    int i = 1;
                    while (sig.charAt(i) != ')') {
                        int next = Signature.end(sig, i);
                        fields.add(value(sig.substring(i, next)));
                        i = next;
                    }
                    return fields;
                }
                case '{': {
                    align(8);
                    int k = Signature.end(sig, 1);
                    Object key = value(sig.substring(1, k));
                    Object val = value(sig.substring(k, Signature.end(sig, k)));
                    Map<Object, Object> entry = new LinkedHashMap<>();
                    entry.put(key, val);
                    return entry.entrySet().iterator().next();
                }
                default:
                    throw new ProtocolException("unsupported D-Bus type '" + c + "'");
            }
        }

        private String text(int length) throws ProtocolException {
            if (length < 0) {
                throw new ProtocolException("negative D-Bus string length");
            }
            need(length + 1L);
            byte[] bytes = new byte[length];
            b.get(pos, bytes);
            pos += length + 1;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private static int alignment(char c) {
            return switch (c) {
                case 'y', 'g', 'v' -> 1;
                case 'n', 'q' -> 2;
                case 'x', 't', 'd', '(', '{' -> 8;
                default -> 4;
            };
        }
    }

    /** Little-endian encoder of the few types a call needs. */
    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

        int size() {
            return out.size();
        }

        void align(int n) {
            while (out.size() % n != 0) {
                out.write(0);
            }
        }

        void bytes(int... values) {
            for (int v : values) {
                out.write(v);
            }
        }

        void uint32(int v) {
            align(4);
            out.write(v);
            out.write(v >>> 8);
            out.write(v >>> 16);
            out.write(v >>> 24);
        }

        void string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            uint32(bytes.length);
            out.write(bytes, 0, bytes.length);
            out.write(0);
        }

        void signature(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.write(bytes, 0, bytes.length);
            out.write(0);
        }

        void field(int code, String type, String value) {
            align(8);
            out.write(code);
            signature(type);
            if (type.equals("g")) {
                signature(value);
            } else {
                string(value);
            }
        }

        void raw(byte[] bytes) {
            out.write(bytes, 0, bytes.length);
        }

        /** Overwrites the uint32 at {@code at} (written earlier as a placeholder). */
        void patch(int at, int value) {
            byte[] all = out.toByteArray();
            all[at] = (byte) value;
            all[at + 1] = (byte) (value >>> 8);
            all[at + 2] = (byte) (value >>> 16);
            all[at + 3] = (byte) (value >>> 24);
            out.reset();
            out.write(all, 0, all.length);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
