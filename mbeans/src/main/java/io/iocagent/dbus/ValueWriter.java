package io.iocagent.dbus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian encoder of the few D-Bus types a method call needs (bytes, uint32, strings, signatures, header fields). */
final class ValueWriter {
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
