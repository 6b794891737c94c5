package io.iocagent.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;

/**
 * One bound JDK {@code HttpServer} (or {@code HttpsServer}) with its own bounded pool of daemon
 * threads, so a slow client or a burst of requests can never use more than {@code threads} threads.
 * Bound on construction (so the port is known and a busy port fails early), serving after
 * {@link #start()}.
 */
final class Listener implements AutoCloseable {

    private final String surface;
    private final String host;
    private final HttpServer server;
    private final ExecutorService executor;
    private final boolean tls;

    private Listener(String surface, String host, HttpServer server, ExecutorService executor, boolean tls) {
        this.surface = surface;
        this.host = host;
        this.server = server;
        this.executor = executor;
        this.tls = tls;
    }

    /** Binds {@code host:port}; {@code surface} names the endpoint in messages and thread names. */
    static Listener bind(String surface, String host, int port, TlsKeystore tls, int threads) {
        InetAddress address = resolve(surface, host);
        InetSocketAddress socket = new InetSocketAddress(address, port);
        HttpServer server;
        try {
            if (tls == null) {
                server = HttpServer.create(socket, 0);
            } else {
                HttpsServer https = HttpsServer.create(socket, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()));
                server = https;
            }
        } catch (BindException e) {
            throw new EndpointException(surface + ": cannot listen on " + host + ":" + port + " (" + e.getMessage() + ").",
                    e, "-> Another process (another agent?) holds the port; stop it or choose another port.");
        } catch (IOException e) {
            throw new EndpointException(surface + ": cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        // Up to `threads` threads, made when all are busy and ended after 30 s idle: in JDK 17 a
        // pool thread reads the request line, headers and body itself, so a slow client holds one
        // until http.request.timeout closes its connection; many cheap threads keep a few slow
        // clients from blocking everyone. Beyond `threads`, connections wait in the queue.
        RequestThreads executor = new RequestThreads(
                "ioc-agent-" + surface.toLowerCase(java.util.Locale.ROOT) + "-", threads);
        server.setExecutor(executor);
        return new Listener(surface, host, server, executor, tls != null);
    }

    static InetAddress resolve(String surface, String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new EndpointException(surface + ": cannot resolve the listen address '" + host + "'.", e,
                    "-> Use an IP address of this host, e.g. 127.0.0.1.");
        }
    }

    /** The server to mount contexts on, before {@link #start()}. */
    HttpServer server() {
        return server;
    }

    void start() {
        server.start();
    }

    /** The bound address, with the real port when 0 was asked for. */
    InetSocketAddress address() {
        return server.getAddress();
    }

    boolean loopback() {
        return server.getAddress().getAddress().isLoopbackAddress();
    }

    boolean tls() {
        return tls;
    }

    /** {@code http(s)://host:port<path>} of this listener, with the host as configured. */
    URI uri(String path) {
        try {
            return new URI(tls ? "https" : "http", null, host, address().getPort(), path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops at once (open exchanges are cut) and ends the threads. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return surface + " on " + uri("/");
    }
}
