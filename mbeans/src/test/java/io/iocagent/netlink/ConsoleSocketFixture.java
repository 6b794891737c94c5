package io.iocagent.netlink;

import static org.junit.jupiter.api.Assertions.fail;

import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Real UNIX sockets for the integration tests, shaped like an IOC console: a listening socket
 * owned by this JVM (standing in for procServ), and {@code socat - UNIX-CONNECT:PATH} child
 * processes as console clients (also for a listener another process owns, see {@link #clientsOf}).
 * Shared by the netlink and proc integration tests and the benchmarks.
 *
 * <p>{@link #close()} kills the clients, closes every channel and deletes the socket file.
 */
public final class ConsoleSocketFixture implements AutoCloseable {

    private static final Path SOCAT = Path.of("/usr/bin/socat");

    private final Path path;
    private final ServerSocketChannel server;
    private final List<SocketChannel> accepted = new ArrayList<>();
    private final List<Process> clients = new ArrayList<>();

    private ConsoleSocketFixture(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
    }

    /** Skips (or, with the test bed required, fails) the calling test when socat is missing. */
    public static void requireSocat() {
        TestBed.requireOrSkip(Files.isExecutable(SOCAT), SOCAT + " is missing (apt-get install socat)");
    }

    /** Listens on a new socket file {@code path} with accept queue limit {@code backlog}. */
    public static ConsoleSocketFixture listen(Path path, int backlog) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path), backlog);
        return new ConsoleSocketFixture(path, server);
    }

    /** Clients only, for a socket another process (procServ) listens on; {@link #accept()} is not available. */
    public static ConsoleSocketFixture clientsOf(Path path) {
        return new ConsoleSocketFixture(path, null);
    }

    public Path path() {
        return path;
    }

    /** Starts a {@code socat} client connected to the socket; its stdin stays open until {@link #close()}. */
    public Process connectClient() throws IOException {
        Process p = new ProcessBuilder(SOCAT.toString(), "-", "UNIX-CONNECT:" + path)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        clients.add(p);
        return p;
    }

    /** Accepts one connection (blocking) and keeps it open without ever reading from it. */
    public SocketChannel accept() throws IOException {
        if (server == null) {
            throw new IllegalStateException("This fixture does not own the listener of " + path);
        }
        SocketChannel channel = server.accept();
        accepted.add(channel);
        return channel;
    }

    /** Makes {@code client} send {@code text}: socat copies its stdin to the socket. */
    public static void send(Process client, String text) throws IOException {
        OutputStream in = client.getOutputStream();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Polls {@code probe} until {@code done} accepts its value; fails naming {@code what} after {@code timeout}. */
    public static <T> T await(Duration timeout, String what, Probe<T> probe, Predicate<T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        try {
            while (true) {
                last = probe.get();
                if (done.test(last)) {
                    return last;
                }
                if (System.nanoTime() > deadline) {
                    fail("Timed out after " + timeout + " waiting for " + what + "; last seen: " + last);
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A poll that may fail with I/O. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws IOException;
    }

    @Override
    public void close() throws IOException {
        for (Process p : clients) {
            p.destroyForcibly();
        }
        for (Process p : clients) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (SocketChannel c : accepted) {
            c.close();
        }
        if (server != null) {
            server.close();
            Files.deleteIfExists(path);
        }
    }
}
