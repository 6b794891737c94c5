package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both endpoints with a PKCS#12 keystore made by the JDK's keytool for 127.0.0.1. */
class HttpsIT {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;
    private static Path keystore;
    private static HttpClient https;

    @BeforeAll
    static void makeKeystore() throws Exception {
        keystore = dir.resolve("agent.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "agent", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool: " + out);

        KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            server.load(in, PASSWORD);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("agent", server.getCertificate("agent"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        https = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void jolokiaServesHttpsWithTheKeystore() throws Exception {
        try (JolokiaEndpoint endpoint = JolokiaEndpoint.start(new JolokiaSettings("127.0.0.1", 0,
                new TlsKeystore(keystore, PASSWORD), ShippedPolicy.path(), List.of(), 2), null)) {
            assertTrue(endpoint.url().toString().startsWith("https://127.0.0.1:"), endpoint.url().toString());
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(endpoint.url().resolve("version")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("\"status\":200"), r.body());
        }
    }

    @Test
    void metricsServesHttpsWithTheKeystore() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(
                new MetricsSettings("127.0.0.1", 0, new TlsKeystore(keystore, PASSWORD)),
                new FakeSnapshotSource(FakeSnapshotSource.running("alpha")))) {
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(endpoint.url()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("epics_ioc_up{ioc=\"alpha\"} 1.0"), r.body());
        }
    }

    @Test
    void wrongKeystorePasswordFailsAtStartNamingTheFile() {
        EndpointException e = assertThrows(EndpointException.class, () -> MetricsEndpoint.start(
                new MetricsSettings("127.0.0.1", 0, new TlsKeystore(keystore, "wrong".toCharArray())),
                new FakeSnapshotSource()));
        assertTrue(e.getMessage().contains("Cannot use the TLS keystore " + keystore), e.getMessage());
    }
}
