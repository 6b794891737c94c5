package io.iocagent.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The D-Bus wire format of the lean client: what it sends, what it reads, what it refuses. */
class MessageTest {

    @Test
    void aMethodCallIsLaidOutAsTheSpecificationSays() throws Exception {
        byte[] call = Message.methodCall(7, null, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                "ListUnitsByPatterns", "asas", List.of(), List.of("epics-@*.service"));
        ByteBuffer b = ByteBuffer.wrap(call).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('l', b.get(0));
        assertEquals(Message.METHOD_CALL, b.get(1));
        assertEquals(1, b.get(3), "protocol version");
        assertEquals(7, b.getInt(8), "serial");
        assertEquals(call.length, Message.length(b), "length from the fixed header");
        int bodyLength = b.getInt(4);
        // body: empty as (4 bytes), then as with one string: length, string length, text, NUL
        assertEquals(4 + 4 + 4 + "epics-@*.service".length() + 1, bodyLength);
        Message decoded = Message.decode(b);
        assertEquals("asas", decoded.signature());
        assertEquals(List.of(List.of(), List.of("epics-@*.service")), decoded.body());
    }

    @Test
    void aReplyOfStructsVariantsAndNumbersDecodes() throws Exception {
        byte[] reply = reply(5, "a(su)vt", w -> {
            w.array(8, () -> {
                w.struct(() -> {
                    w.string("epics-@a.service");
                    w.uint32(-1); // u: all bits set = 4294967295
                });
            });
            w.signature("u");
            w.uint32(4242);
            w.uint64(-1L); // UINT64_MAX
        });
        Message m = Message.decode(ByteBuffer.wrap(reply));
        assertEquals(Message.METHOD_RETURN, m.type());
        assertEquals(5, m.replySerial());
        assertEquals(List.of(List.of("epics-@a.service", -1)), m.body().get(0));
        List<?> unit = (List<?>) ((List<?>) m.body().get(0)).get(0);
        assertEquals(4294967295L, Integer.toUnsignedLong((Integer) unit.get(1)), "u read as its bits");
        assertEquals(4242, m.body().get(1), "variant unwrapped");
        assertEquals(-1L, m.body().get(2), "t keeps its bits");
    }

    @Test
    void anErrorCarriesItsNameAndText() throws Exception {
        Writer w = new Writer();
        byte[] error = w.message(Message.ERROR, 9, "s", "org.freedesktop.systemd1.NoSuchUnit", body -> body.string("Unit x not found."));
        Message m = Message.decode(ByteBuffer.wrap(error));
        assertEquals(Message.ERROR, m.type());
        assertEquals("org.freedesktop.systemd1.NoSuchUnit", m.errorName());
        assertEquals("Unit x not found.", m.firstString());
    }

    @Test
    void anOversizedMessageIsRefusedBeforeItIsRead() {
        ByteBuffer fixed = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        fixed.put(0, (byte) 'l').put(1, (byte) 2).put(3, (byte) 1).putInt(4, 200 * 1024 * 1024).putInt(12, 16);
        Message.ProtocolException e = assertThrows(Message.ProtocolException.class, () -> Message.length(fixed));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void garbageIsNotADbusMessage() {
        ByteBuffer fixed = ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes());
        assertThrows(Message.ProtocolException.class, () -> Message.length(fixed));
    }

    @Test
    void aStringLongerThanItsMessageIsRefused() {
        byte[] reply = reply(1, "s", w -> {
            w.uint32(1_000_000); // claims a megabyte
            w.raw(new byte[] {'x', 0});
        });
        assertThrows(Message.ProtocolException.class, () -> Message.decode(ByteBuffer.wrap(reply)));
    }

    @Test
    void anArrayLongerThanItsMessageIsRefused() {
        byte[] reply = reply(1, "as", w -> w.uint32(Integer.MAX_VALUE));
        assertThrows(Message.ProtocolException.class, () -> Message.decode(ByteBuffer.wrap(reply)));
    }

    @Test
    void deeplyNestedVariantsAreRefused() {
        byte[] reply = reply(1, "v", w -> {
            for (int i = 0; i < 100; i++) {
                w.signature("v");
            }
            w.signature("u");
            w.uint32(1);
        });
        Message.ProtocolException e = assertThrows(Message.ProtocolException.class, () -> Message.decode(ByteBuffer.wrap(reply)));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
    }

    @Test
    void anUnbalancedSignatureIsRefused() {
        byte[] reply = reply(1, "(su", w -> w.string("x"));
        assertThrows(Message.ProtocolException.class, () -> Message.decode(ByteBuffer.wrap(reply)));
    }

    @Test
    void dictionariesDecodeAsEntriesInOrder() throws Exception {
        byte[] reply = reply(1, "a{sv}", w -> w.array(8, () -> {
            w.struct(() -> {
                w.string("MainPID");
                w.signature("u");
                w.uint32(12);
            });
        }));
        Message m = Message.decode(ByteBuffer.wrap(reply));
        Map.Entry<?, ?> entry = (Map.Entry<?, ?>) ((List<?>) m.body().get(0)).get(0);
        assertEquals("MainPID", entry.getKey());
        assertEquals(12, entry.getValue());
    }

    // ---- a little writer for replies, independent of the code under test ------------------------

    private interface Body {
        void write(Writer w);
    }

    private static byte[] reply(int replySerial, String signature, Body body) {
        return new Writer().message(Message.METHOD_RETURN, replySerial, signature, null, body);
    }

    private static final class Writer {
        private ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

        void align(int n) {
            while (b.position() % n != 0) {
                b.put((byte) 0);
            }
        }

        void uint32(int v) {
            align(4);
            b.putInt(v);
        }

        void uint64(long v) {
            align(8);
            b.putLong(v);
        }

        void string(String s) {
            uint32(s.length());
            b.put(s.getBytes());
            b.put((byte) 0);
        }

        void signature(String s) {
            b.put((byte) s.length());
            b.put(s.getBytes());
            b.put((byte) 0);
        }

        void raw(byte[] bytes) {
            b.put(bytes);
        }

        void struct(Runnable fields) {
            align(8);
            fields.run();
        }

        void array(int elementAlignment, Runnable items) {
            align(4);
            int at = b.position();
            b.putInt(0);
            align(elementAlignment);
            int start = b.position();
            items.run();
            b.putInt(at, b.position() - start);
        }

        byte[] message(int type, int replySerial, String signature, String errorName, Body body) {
            Writer bodyWriter = new Writer();
            // Alignment inside the body is relative to its start, which is 8-aligned in the message.
            body.write(bodyWriter);
            byte[] bodyBytes = java.util.Arrays.copyOf(bodyWriter.b.array(), bodyWriter.b.position());
            b.put((byte) 'l').put((byte) type).put((byte) 0).put((byte) 1);
            b.putInt(bodyBytes.length).putInt(99);
            int fieldsAt = b.position();
            b.putInt(0);
            int start = b.position();
            align(8);
            b.put((byte) 5);
            signature("u");
            uint32(replySerial);
            if (errorName != null) {
                align(8);
                b.put((byte) 4);
                signature("s");
                string(errorName);
            }
            align(8);
            b.put((byte) 8);
            signature("g");
            signature(signature);
            b.putInt(fieldsAt, b.position() - start);
            align(8);
            b.put(bodyBytes);
            return java.util.Arrays.copyOf(b.array(), b.position());
        }
    }
}
