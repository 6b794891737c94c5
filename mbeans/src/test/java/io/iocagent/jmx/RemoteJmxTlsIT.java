package io.iocagent.jmx;

import static io.iocagent.jmx.FakeSnapshotSource.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.model.Readiness;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote JMX with TLS on loopback: a client trusting the agent's self-signed certificate logs in
 * over TLS (registry and connector); a plain client gets nowhere. The key store comes from the
 * JDK's keytool. Sets the JVM's default SSLContext, which the JDK's RMI SSL client factory uses.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteJmxTlsIT {

    private static final char[] STORE_PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;

    private Path keyStore() throws Exception {
        Path ks = dir.resolve("agent.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "agent", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
        return ks;
    }

    /** A client context trusting exactly the agent's certificate. */
    private static SSLContext trusting(Path keyStore) throws Exception {
        KeyStore server = KeyStore.getInstance(keyStore.toFile(), STORE_PASSWORD);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("agent", server.getCertificate("agent"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    @Test
    void aClientTrustingTheAgentsCertificateLogsInOverTlsAndAPlainClientCannot() throws Exception {
        Path ks = keyStore();
        Path credentials = dir.resolve("credentials");
        Files.write(credentials, List.of(CredentialsTest.entry("vic", Role.VIEWER, "pw")));
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        FakeSnapshotSource source = new FakeSnapshotSource();
        source.publish(ioc("alpha", "active", Readiness.READY));
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        int port = RemoteJmxIT.freePort();
        SSLContext previous = SSLContext.getDefault();
        SSLContext.setDefault(trusting(ks));
        try (JmxSurface surface = JmxSurface.register(server, source, new Operations((t, f) -> {
            throw new AssertionError("not called");
        }, source::refresh));
             RemoteJmx remote = RemoteJmx.start(new RemoteJmx.Config(InetAddress.getLoopbackAddress(), port,
                     Optional.of(credentials), Optional.of(RemoteJmx.Tls.fromKeyStore(ks, STORE_PASSWORD, false)),
                     Optional.empty()), server)) {
            Map<String, Object> tls = Map.of(JMXConnector.CREDENTIALS, new String[] {"vic", "pw"},
                    "com.sun.jndi.rmi.factory.socket", new SslRMIClientSocketFactory());
            try (JMXConnector c = JMXConnectorFactory.connect(remote.serviceUrl(), tls)) {
                assertEquals(1, c.getMBeanServerConnection().getAttribute(JmxSurface.MANAGER, "IocCount"));
            }

            assertThrows(IOException.class, () -> JMXConnectorFactory.connect(remote.serviceUrl(),
                    Map.of(JMXConnector.CREDENTIALS, new String[] {"vic", "pw"})), "plain RMI to a TLS registry");
            assertTrue(surface.registeredIocs().contains("alpha"));
        } finally {
            SSLContext.setDefault(previous);
        }
    }
}
