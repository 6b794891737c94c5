package io.iocagent.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import javax.management.MBeanServerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refusals of {@link RemoteJmx#start} and its socket factory; nothing is left listening. */
class RemoteJmxTest {

    @TempDir
    Path dir;

    private static RemoteJmx.Config on(String address, int port, Optional<Path> credentials, Optional<String> host)
            throws IOException {
        return new RemoteJmx.Config(InetAddress.getByName(address), port, credentials, Optional.empty(), host);
    }

    @Test
    void aNonLoopbackAddressWithoutCredentialsIsRefused() throws IOException {
        for (String address : List.of("0.0.0.0", "192.0.2.10")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RemoteJmx.start(on(address, 9999, Optional.empty(), Optional.empty()),
                            MBeanServerFactory.newMBeanServer()));
            assertTrue(e.getMessage().startsWith("Refusing to start remote JMX on " + address + ":9999 without a credentials file"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("-> Configure a credentials file"), e.getMessage());
        }
    }

    @Test
    void theWildcardAddressNeedsTheHostNameClientsUse() throws IOException {
        Path credentials = privateCredentials();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RemoteJmx.start(on("0.0.0.0", 9999, Optional.of(credentials), Optional.empty()),
                        MBeanServerFactory.newMBeanServer()));

        assertTrue(e.getMessage().contains("needs the host name clients reach the agent at"), e.getMessage());
    }

    @Test
    void anUnusableCredentialsFileStopsTheStartBeforeAnythingListens() throws IOException {
        Path credentials = privateCredentials();
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-r--r--"));
        int port = RemoteJmxIT.freePort();

        IOException e = assertThrows(IOException.class,
                () -> RemoteJmx.start(RemoteJmx.Config.loopback(port, Optional.of(credentials)), MBeanServerFactory.newMBeanServer()));

        assertTrue(e.getMessage().contains("accessible by group or others"), e.getMessage());
        try (ServerSocket free = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, free.getLocalPort(), "the port is still free");
        }
    }

    @Test
    void aBusyPortFailsNamingTheAddressAndWhatToDo() throws IOException {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IOException e = assertThrows(IOException.class, () -> RemoteJmx.start(
                    RemoteJmx.Config.loopback(squatter.getLocalPort(), Optional.empty()), MBeanServerFactory.newMBeanServer()));

            assertTrue(e.getMessage().startsWith("Cannot listen on 127.0.0.1:" + squatter.getLocalPort() + " for remote JMX"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Choose another port"), e.getMessage());
        }
    }

    @Test
    void portsOutsideTheTcpRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RemoteJmx.Config.loopback(0, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> RemoteJmx.Config.loopback(65536, Optional.empty()));
    }

    @Test
    void socketFactoriesWithTheSameSettingsAreEqualSoRegistryAndConnectorShareThePort() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        SSLContext tls = SSLContext.getDefault();

        assertEquals(new BoundServerSocketFactory(loopback, null, false), new BoundServerSocketFactory(loopback, null, false));
        assertEquals(new BoundServerSocketFactory(loopback, null, false).hashCode(),
                new BoundServerSocketFactory(InetAddress.getByName("127.0.0.1"), null, false).hashCode());
        assertEquals(new BoundServerSocketFactory(loopback, tls, true), new BoundServerSocketFactory(loopback, tls, true));
    }

    @Test
    void theTlsSocketFactoryBindsOnlyTheConfiguredAddressWithModernProtocols() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        BoundServerSocketFactory factory = new BoundServerSocketFactory(loopback, SSLContext.getDefault(), true);

        try (ServerSocket s = factory.createServerSocket(0)) {
            SSLServerSocket ssl = (SSLServerSocket) s;
            assertEquals(loopback, ((InetSocketAddress) s.getLocalSocketAddress()).getAddress());
            assertTrue(ssl.getNeedClientAuth());
            assertTrue(List.of(BoundServerSocketFactory.PROTOCOLS).containsAll(List.of(ssl.getEnabledProtocols())),
                    List.of(ssl.getEnabledProtocols()).toString());
        }
    }

    private Path privateCredentials() throws IOException {
        Path file = dir.resolve("credentials");
        Files.write(file, List.of(CredentialsTest.entry("olga", Role.OPERATOR, "pw")));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
