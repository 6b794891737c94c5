package io.iocagent.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The server certificate and key for HTTPS, as a PKCS#12 (or JKS) keystore file.
 *
 * @param path     the keystore file
 * @param password the keystore password, also used for the key; {@link #toString()} hides it
 */
public record TlsKeystore(Path path, char[] password) {

    public TlsKeystore {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(password, "password");
    }

    /**
     * A TLS context serving the keystore's key. Reads the file now, so a wrong path or password
     * fails at startup rather than at the first handshake.
     */
    public SSLContext sslContext() {
        try (InputStream in = Files.newInputStream(path)) {
            // PKCS12 reads JKS files too (keystore.type.compat, on by default since JDK 9).
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keys.getKeyManagers(), null, null);
            return tls;
        } catch (IOException | GeneralSecurityException e) {
            throw new EndpointException("Cannot use the TLS keystore " + path + ": " + e.getMessage(), e,
                    "-> Check the path and password; the keystore must be PKCS#12 or JKS with one server key.");
        }
    }

    @Override
    public String toString() {
        return "TlsKeystore[path=" + path + ", password=***]";
    }
}
