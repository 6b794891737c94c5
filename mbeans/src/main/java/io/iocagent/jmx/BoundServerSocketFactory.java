package io.iocagent.jmx;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.server.RMIServerSocketFactory;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * Server sockets of the RMI registry and the JMX connector, bound to one address (the JDK's
 * default and {@code SslRMIServerSocketFactory} bind every interface). A record, so two instances
 * with the same settings are equal: RMI then lets the registry and the connector share one
 * listening port, which is what makes a single fixed port (and firewall rule) possible.
 *
 * @param address       the only address to listen on
 * @param tls           TLS context of the server certificate; null for plain TCP
 * @param needClientAuth with TLS, require a client certificate trusted by {@code tls}
 */
record BoundServerSocketFactory(InetAddress address, SSLContext tls, boolean needClientAuth)
        implements RMIServerSocketFactory {

    /** Accept backlog, as the JDK's default RMI socket factory uses. */
    private static final int BACKLOG = 50;

    /** TLS versions offered; older ones are broken. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        if (tls == null) {
            return new ServerSocket(port, BACKLOG, address);
        }
        SSLServerSocket socket = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(port, BACKLOG, address);
        socket.setEnabledProtocols(Arrays.stream(PROTOCOLS)
                .filter(p -> Arrays.asList(socket.getSupportedProtocols()).contains(p)).toArray(String[]::new));
        socket.setNeedClientAuth(needClientAuth);
        return socket;
    }
}
