package io.iocagent.console;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The far end of a console socket, playing procServ 2.7.0 for one client: on accept it sends a
 * banner ending in the observed negotiation {@code FF FB 01 FF FD 22}, then records every byte the
 * client sends until the client closes. The test decides what else it says.
 */
final class FakeProcServ implements AutoCloseable {

    static final String BANNER_END = "@@@ 0 user(s) and 0 logger(s) connected (plus you)\r\n";
    static final byte[] NEGOTIATION = {(byte) 0xFF, (byte) 0xFB, 0x01, (byte) 0xFF, (byte) 0xFD, 0x22};

    private final AFUNIXServerSocket server;
    private final CompletableFuture<AFUNIXSocket> client = new CompletableFuture<>();
    private final CompletableFuture<Void> clientGone = new CompletableFuture<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    FakeProcServ(Path socket) throws IOException {
        server = AFUNIXServerSocket.newInstance();
        server.bind(AFUNIXSocketAddress.of(socket));
        Thread t = new Thread(this::serve, "fake-procserv");
        t.setDaemon(true);
        t.start();
    }

    private void serve() {
        try {
            AFUNIXSocket s = server.accept();
            s.getOutputStream().write(("@@@ Welcome to procServ (procServ Process Server 2.7.0)\r\n" + BANNER_END)
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(NEGOTIATION);
            client.complete(s);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (received) {
                    received.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            client.completeExceptionally(e);
        } finally {
            clientGone.complete(null);
        }
    }

    /** Sends raw bytes to the client (telnet framing included as given). */
    void send(byte[] bytes) {
        try {
            connected().getOutputStream().write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(String text) {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Closes the client's connection, as procServ does when it stops. */
    void hangUp() throws IOException {
        connected().close();
    }

    byte[] received() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    /** Waits until the client closed its end (the server read end-of-stream). */
    void awaitClientGone(Duration timeout) {
        try {
            clientGone.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            fail("the client did not close its connection within " + timeout + ": " + e);
        }
    }

    private AFUNIXSocket connected() {
        try {
            return client.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("no client connected to the fake procServ: " + e, e);
        }
    }

    @Override
    public void close() throws IOException {
        if (client.isDone() && !client.isCompletedExceptionally()) {
            client.join().close();
        }
        server.close();
    }
}
