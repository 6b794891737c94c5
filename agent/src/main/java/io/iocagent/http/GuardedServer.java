package io.iocagent.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * The view of our {@link Listener}'s server that Jolokia mounts itself on. It forwards everything,
 * and puts our {@link RequestFilter} and authenticator on every context Jolokia creates.
 *
 * <p>Why: {@code JolokiaServer} keeps its contexts private, and its {@code start()} sets the
 * authenticator of its own configuration (none here: no user/password is given to it) on the main
 * context and a null one on its {@code /config} context (2.6.0, {@code setupAuthentication}). So
 * the contexts are caught as they are created and {@link #enforce()} re-applies ours after Jolokia
 * started, then checks it. Thread-safe.
 */
final class GuardedServer extends HttpServer {

    private final HttpServer server;
    private final Authenticator authenticator;
    private final Filter filter;
    private final List<HttpContext> contexts = new CopyOnWriteArrayList<>();

    GuardedServer(HttpServer server, Authenticator authenticator, Filter filter) {
        this.server = server;
        this.authenticator = authenticator;
        this.filter = filter;
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        return guard(server.createContext(path, handler));
    }

    @Override
    public HttpContext createContext(String path) {
        return guard(server.createContext(path));
    }

    private HttpContext guard(HttpContext context) {
        context.getFilters().add(filter);
        context.setAuthenticator(authenticator);
        contexts.add(context);
        return context;
    }

    /** After Jolokia started: every context it made has our authenticator and filter, or this throws. */
    void enforce() {
        if (contexts.isEmpty()) {
            throw new IllegalStateException("Jolokia mounted no HTTP context");
        }
        for (HttpContext c : contexts) {
            c.setAuthenticator(authenticator);
            if (c.getAuthenticator() != authenticator || !c.getFilters().contains(filter)) {
                throw new IllegalStateException("Jolokia context " + c.getPath() + " is not guarded");
            }
        }
    }

    @Override
    public void removeContext(String path) {
        contexts.removeIf(c -> c.getPath().equals(path));
        server.removeContext(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        contexts.remove(context);
        server.removeContext(context);
    }

    @Override
    public void bind(InetSocketAddress address, int backlog) throws IOException {
        server.bind(address, backlog);
    }

    @Override
    public void start() {
        server.start();
    }

    @Override
    public void setExecutor(Executor executor) {
        server.setExecutor(executor);
    }

    @Override
    public Executor getExecutor() {
        return server.getExecutor();
    }

    @Override
    public void stop(int delay) {
        server.stop(delay);
    }

    @Override
    public InetSocketAddress getAddress() {
        return server.getAddress();
    }
}
