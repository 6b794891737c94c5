package io.iocagent.dbus;

import io.iocagent.dbus.Message.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads D-Bus values from a message's bytes, as the specification's "Marshaling (Wire Format)"
 * lays them out; alignment is relative to the start of the message. Every read is bounded by the
 * message and nesting by {@link #MAX_DEPTH}: a malformed message is a
 * {@link Message.ProtocolException}, never an unchecked failure or an unbounded allocation. See
 * {@link Message} for the Java value each type becomes.
 */
final class ValueReader {
    private static final int MAX_DEPTH = 64;
    private final ByteBuffer b;
    private final int end;
    private int pos;
    private int depth;

    ValueReader(ByteBuffer b, int pos, int end) throws ProtocolException {
        if (end > b.limit() || end < pos) {
            throw new ProtocolException("D-Bus message shorter than its header says");
        }
        this.b = b;
        this.pos = pos;
        this.end = end;
    }

    /** True while bytes are left before the end. */
    boolean hasMore() {
        return pos < end;
    }

    /** The code byte of the next header field (a struct of a byte and a variant, aligned to 8). */
    int fieldCode() throws ProtocolException {
        align(8);
        need(1);
        return b.get(pos++) & 0xff;
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
