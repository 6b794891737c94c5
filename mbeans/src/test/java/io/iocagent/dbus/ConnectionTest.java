package io.iocagent.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lean connection against peers that misbehave: it fails in bounded time with a clear reason. */
class ConnectionTest {

    private static final Duration SHORT = Duration.ofMillis(500);

    @TempDir
    Path dir;

    /** A one-connection peer: reads the client's auth, then does {@code behaviour} with the socket. */
    private CompletableFuture<Void> peer(Path socket, Behaviour behaviour) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return CompletableFuture.runAsync(() -> {
            try (server; SocketChannel c = server.accept()) {
                ByteBuffer auth = ByteBuffer.allocate(256);
                c.read(auth);
                behaviour.act(c);
                c.read(ByteBuffer.allocate(4096)); // hold the connection until the client gives up
            } catch (IOException e) {
                // the client closed: fine
            }
        });
    }

    @FunctionalInterface
    private interface Behaviour {
        void act(SocketChannel c) throws IOException;
    }

    private static void send(SocketChannel c, String text) throws IOException {
        c.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aPeerThatNeverAnswersTimesOut() throws Exception {
        Path socket = dir.resolve("silent");
        CompletableFuture<Void> p = peer(socket, c -> { });
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> Connection.open(socket, 0, false, null, SHORT));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(e instanceof Connection.TimeoutException, "a timeout, got " + e);
        assertTrue(ms < 5_000, "gave up after " + ms + " ms, the timeout was 500 ms");
        p.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aRefusedAuthenticationSaysSo() throws Exception {
        Path socket = dir.resolve("refusing");
        CompletableFuture<Void> p = peer(socket, c -> send(c, "REJECTED EXTERNAL\r\n"));
        IOException e = assertThrows(IOException.class, () -> Connection.open(socket, 1234, false, null, SHORT));
        assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("1234"), e.getMessage());
        p.get(5, TimeUnit.SECONDS);
    }

    @Test
    void anEndlessAuthenticationLineIsCutShort() throws Exception {
        Path socket = dir.resolve("chatty");
        CompletableFuture<Void> p = peer(socket, c -> send(c, "OK " + "x".repeat(4000)));
        IOException e = assertThrows(IOException.class, () -> Connection.open(socket, 0, false, null, SHORT));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
        p.get(5, TimeUnit.SECONDS);
    }

    @Test
    void anOversizedReplyIsRefusedUnread() throws Exception {
        Path socket = dir.resolve("huge");
        CompletableFuture<Void> p = peer(socket, c -> {
            send(c, "OK 0123456789abcdef0123456789abcdef\r\n");
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            header.put((byte) 'l').put((byte) Message.METHOD_RETURN).put((byte) 0).put((byte) 1)
                    .putInt(1 << 30).putInt(1).putInt(0).flip();
            c.read(ByteBuffer.allocate(4096)); // the call
            c.write(header);
        });
        try (Connection c = Connection.open(socket, 0, false, null, SHORT)) {
            IOException e = assertThrows(IOException.class, () -> c.call("/", "i.f", "M", ""));
            assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
            assertEquals(1, c.calls(), "the one call was sent");
        }
        p.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aPeerThatHangsUpMidReplySaysTheConnectionClosed() throws Exception {
        Path socket = dir.resolve("hangup");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        CompletableFuture<Void> p = CompletableFuture.runAsync(() -> {
            try (server; SocketChannel c = server.accept()) {
                c.read(ByteBuffer.allocate(256));
                send(c, "OK 0123456789abcdef0123456789abcdef\r\n");
                c.read(ByteBuffer.allocate(4096));
                c.write(ByteBuffer.wrap(new byte[] {'l', 2, 0})); // three bytes of a header, then gone
            } catch (IOException e) {
                // fine
            }
        });
        try (Connection c = Connection.open(socket, 0, false, null, SHORT)) {
            IOException e = assertThrows(IOException.class, () -> c.call("/", "i.f", "M", ""));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
        p.get(5, TimeUnit.SECONDS);
    }
}
