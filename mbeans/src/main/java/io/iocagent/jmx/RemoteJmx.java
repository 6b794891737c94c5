package io.iocagent.jmx;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.rmi.AlreadyBoundException;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.ExportException;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.management.MBeanServer;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote JMX connector (off unless the agent's configuration asks for it): the RMI registry
 * and the connector server on ONE port, bound to one address (loopback by default), so one
 * firewall rule covers it and nothing listens on other interfaces. Clients use
 * {@code service:jmx:rmi:///jndi/rmi://HOST:PORT/jmxrmi}, or just {@code HOST:PORT} in jconsole
 * and jmxterm.
 *
 * <p><b>Access.</b> With a credentials file, users log in with name and password; role
 * {@code viewer} gets the JDK's {@code readonly} access (attributes, notifications), {@code operator}
 * {@code readwrite} (also operations; never MBean creation or unregistration). Without one — allowed
 * on loopback only — every client is an anonymous viewer: any local user could otherwise stop
 * IOCs through an agent running as root. Only {@code String} may be deserialised from a client's
 * credentials ({@link RMIConnectorServer#CREDENTIALS_FILTER_PATTERN}; the JDK sets no filter by
 * default); every later call's arguments are read through {@link RemoteConnectionGate#FILTER},
 * and a viewer's operation is refused before its arguments are read at all
 * ({@link RemoteConnectionGate}).
 *
 * <p><b>JVM-wide effect.</b> Sets {@code java.rmi.server.hostname} (the host RMI writes into the
 * stubs clients call back), because the JDK reads it globally; with it unset, clients would be
 * sent to the machine's primary address, where nothing listens.
 *
 * <p>Thread-safe; {@link #close} is idempotent.
 */
public final class RemoteJmx implements AutoCloseable {

    /** The registry name clients look up, as the JDK's own agent uses. */
    public static final String REGISTRY_NAME = "jmxrmi";

    private static final Logger LOG = LoggerFactory.getLogger(RemoteJmx.class);

    private final Registry registry;
    private final JMXConnectorServer connector;
    private final JMXServiceURL serviceUrl;
    private boolean closed; // guarded by this

    private RemoteJmx(Registry registry, JMXConnectorServer connector, JMXServiceURL serviceUrl) {
        this.registry = registry;
        this.connector = connector;
        this.serviceUrl = serviceUrl;
    }

    /**
     * Where and how to listen.
     *
     * @param bindAddress     the only address listened on; loopback unless remote access is wanted
     * @param port            the one port of registry and connector, 1..65535
     * @param credentialsFile users and roles ({@link Credentials}); required unless {@code bindAddress} is loopback
     * @param tls             TLS for registry and connector; clients then need {@code SslRMIClientSocketFactory}
     * @param rmiHostname     host name or address clients reach the agent at, written into the stubs;
     *                        defaults to {@code bindAddress}, and is required when that is the wildcard
     */
    public record Config(InetAddress bindAddress, int port, Optional<Path> credentialsFile, Optional<Tls> tls,
                         Optional<String> rmiHostname) {

        public Config {
            Objects.requireNonNull(bindAddress, "bindAddress");
            Objects.requireNonNull(credentialsFile, "credentialsFile");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(rmiHostname, "rmiHostname");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("Remote JMX port must be 1..65535, not " + port + ".");
            }
        }

        /** On 127.0.0.1, plain TCP, with {@code credentialsFile} (empty: anonymous viewers). */
        public static Config loopback(int port, Optional<Path> credentialsFile) {
            return new Config(InetAddress.getLoopbackAddress(), port, credentialsFile, Optional.empty(), Optional.empty());
        }
    }

    /**
     * TLS for the connector.
     *
     * @param context        holds the server's key and certificate (and, for client authentication,
     *                       the trusted client certificates)
     * @param needClientAuth refuse clients without a trusted certificate
     */
    public record Tls(SSLContext context, boolean needClientAuth) {

        public Tls {
            Objects.requireNonNull(context, "context");
        }

        /**
         * A server context from a key store (PKCS12 or JKS, detected); client certificates are
         * checked against the JVM's default trust store ({@code javax.net.ssl.trustStore}).
         */
        public static Tls fromKeyStore(Path keyStore, char[] password, boolean needClientAuth)
                throws IOException, GeneralSecurityException {
            KeyStore ks = KeyStore.getInstance(keyStore.toFile(), password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return new Tls(context, needClientAuth);
        }
    }

    /**
     * Starts listening.
     *
     * @throws IllegalArgumentException for a configuration that must not run: a non-loopback
     *                                  address without credentials, or the wildcard address
     *                                  without {@code rmiHostname}
     * @throws IOException              when the credentials file is unusable or the port cannot be
     *                                  bound; nothing is left listening then
     */
    public static RemoteJmx start(Config config, MBeanServer server) throws IOException {
        InetAddress address = config.bindAddress();
        String where = hostText(address.getHostAddress()) + ":" + config.port();
        if (!address.isLoopbackAddress() && config.credentialsFile().isEmpty()) {
            throw new IllegalArgumentException("Refusing to start remote JMX on " + where + " without a credentials file: "
                    + "anyone reaching that address could read the IOCs.\n"
                    + "  -> Configure a credentials file (user:role:hash lines), or bind to 127.0.0.1.");
        }
        String host = config.rmiHostname().orElseGet(() -> address.isAnyLocalAddress() ? null : address.getHostAddress());
        if (host == null) {
            throw new IllegalArgumentException("Remote JMX bound to the wildcard address " + where
                    + " needs the host name clients reach the agent at.\n  -> Configure rmiHostname, or bind to one address.");
        }
        CredentialsFile credentials = config.credentialsFile().isPresent()
                ? CredentialsFile.open(config.credentialsFile().get()) : null;

        String previous = System.getProperty("java.rmi.server.hostname");
        if (previous != null && !previous.equals(host)) {
            LOG.warn("java.rmi.server.hostname was {}; remote JMX sets it to {}", previous, host);
        }
        System.setProperty("java.rmi.server.hostname", host);

        BoundServerSocketFactory ssf = new BoundServerSocketFactory(address,
                config.tls().map(Tls::context).orElse(null), config.tls().map(Tls::needClientAuth).orElse(false));
        RMIClientSocketFactory csf = config.tls().isPresent() ? new SslRMIClientSocketFactory() : null;

        Registry registry;
        try {
            registry = LocateRegistry.createRegistry(config.port(), csf, ssf);
        } catch (ExportException e) {
            throw new IOException("Cannot listen on " + where + " for remote JMX: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                    + "\n  -> Is another program (or a second agent) using port " + config.port() + "? Choose another port.", e);
        }

        try {
            RemoteJmx remote = publish(config, server, host, registry, ssf, csf, credentials);
            LOG.info("remote JMX listening at {} ({}{})", remote.serviceUrl, credentials == null ? "anonymous viewers"
                    : "credentials " + credentials.path(), config.tls().isPresent() ? ", TLS" : "");
            return remote;
        } catch (IOException | RuntimeException e) {
            unexport(registry);
            throw e;
        }
    }

    /** Starts the connector on the registry's port and binds its stub in the registry. */
    private static RemoteJmx publish(Config config, MBeanServer server, String host, Registry registry,
                                     BoundServerSocketFactory ssf, RMIClientSocketFactory csf,
                                     CredentialsFile credentials) throws IOException {
        Path accessFile = Files.createTempFile("ioc-agent-jmx-access", ".properties",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(accessFile, CredentialsAuthenticator.ACCESS_FILE, StandardCharsets.UTF_8);
            Map<String, Object> env = new HashMap<>();
            env.put(JMXConnectorServer.AUTHENTICATOR, new CredentialsAuthenticator(credentials));
            env.put(RMIConnectorServer.CREDENTIALS_FILTER_PATTERN, "java.lang.String;!*");
            env.put(RMIConnectorServer.SERIAL_FILTER_PATTERN, RemoteConnectionGate.FILTER);
            env.put("jmx.remote.x.access.file", accessFile.toString()); // read once, by start()
            env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, ssf);
            if (csf != null) {
                env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, csf);
            }
            RMIJRMPServerImpl rmiServer = new RemoteConnectionGate(config.port(), csf, ssf, env);
            RMIConnectorServer connector = new RMIConnectorServer(new JMXServiceURL("rmi", host, config.port()), env,
                    rmiServer, server);
            connector.start();
            // After start(): the access controller start() installs stays behind the gate, which
            // therefore also audits the calls it refuses.
            connector.setMBeanServerForwarder(RemoteCallGate.create());
            try {
                registry.bind(REGISTRY_NAME, rmiServer.toStub());
            } catch (AlreadyBoundException | IOException | RuntimeException e) {
                connector.stop();
                throw new IOException("Cannot publish the JMX connector in its registry: " + e.getMessage(), e);
            }
            return new RemoteJmx(registry, connector, new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + hostText(host)
                    + ":" + config.port() + "/" + REGISTRY_NAME));
        } finally {
            Files.deleteIfExists(accessFile);
        }
    }

    /** The address clients connect to, {@code service:jmx:rmi:///jndi/rmi://HOST:PORT/jmxrmi}. */
    public JMXServiceURL serviceUrl() {
        return serviceUrl;
    }

    /** Stops accepting and closes client connections; frees the port. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connector.stop();
        } catch (IOException e) {
            LOG.warn("stopping the remote JMX connector: {}", e.toString());
        }
        unexport(registry);
    }

    private static void unexport(Registry registry) {
        try {
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (NoSuchObjectException e) {
            // already gone
        }
    }

    private static String hostText(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
