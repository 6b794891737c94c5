package io.iocagent.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where and how the Jolokia endpoint listens. Validated on construction, so a bad value fails with
 * an {@link EndpointException} naming the setting before anything binds.
 *
 * @param host        address to bind; loopback by default. Any other address requires credentials
 *                    ({@link JolokiaEndpoint#start}) and should have TLS.
 * @param port        TCP port, 0 for an ephemeral one (tests)
 * @param tls         HTTPS keystore, or null for plain HTTP
 * @param policy      a Jolokia access policy file, or null for the shipped one (read from the jar,
 *                    {@code deploy/jolokia/jolokia-access.xml}); must not contain a {@code <cors>}
 *                    section, origins are set here
 * @param corsOrigins browser origins ({@code scheme://host[:port]}) allowed besides the endpoint's
 *                    own; empty by default
 * @param threads     size of the fixed pool reading requests (each holds a connection while its
 *                    request arrives, bounded by {@code http.request.timeout}); how many of them
 *                    run Jolokia at once is {@link HttpLimits#jolokiaConcurrency()}
 */
public record JolokiaSettings(String host, int port, TlsKeystore tls, Path policy, List<String> corsOrigins,
                              int threads) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8778;
    public static final int DEFAULT_THREADS = 64;

    public JolokiaSettings {
        if (host == null || host.isBlank()) {
            throw new EndpointException("Jolokia: no host to listen on.", "-> Use 127.0.0.1 unless remote access is needed.");
        }
        if (port < 0 || port > 65535) {
            throw new EndpointException("Jolokia: port " + port + " is out of range.", "-> Use 1-65535 (default " + DEFAULT_PORT + ").");
        }
        if (threads < 1 || threads > 256) {
            throw new EndpointException("Jolokia: " + threads + " request threads is out of range.",
                    "-> Use 1-256 (default " + DEFAULT_THREADS + ").");
        }
        corsOrigins = normalise(corsOrigins == null ? List.of() : corsOrigins);
    }

    /** Loopback on the default port with {@code policy} (null: the shipped one), no TLS, no extra origins. */
    public static JolokiaSettings defaults(Path policy) {
        return new JolokiaSettings(DEFAULT_HOST, DEFAULT_PORT, null, policy, List.of(), DEFAULT_THREADS);
    }

    /** Parses an origin as browsers send it; null when {@code text} is not {@code scheme://host[:port]}. */
    static String origin(String text) {
        try {
            URI uri = new URI(text.strip());
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null) {
                return null;
            }
            int port = uri.getPort();
            boolean defaultPort = port == -1 || scheme.equals("http") && port == 80 || scheme.equals("https") && port == 443;
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static List<String> normalise(List<String> origins) {
        List<String> out = new ArrayList<>();
        for (String o : origins) {
            String origin = o == null ? null : origin(o);
            if (origin == null || hasPath(o)) {
                throw new EndpointException("Jolokia: CORS origin '" + o + "' is not an origin.",
                        "-> Write it as a browser sends it, scheme://host[:port], e.g. https://hawtio.example:8443 (no path, no wildcard).");
            }
            out.add(origin);
        }
        return List.copyOf(out);
    }

    private static boolean hasPath(String o) {
        try {
            URI uri = new URI(o.strip());
            String path = uri.getRawPath();
            return path != null && !path.isEmpty() && !path.equals("/") || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || uri.getRawUserInfo() != null;
        } catch (URISyntaxException e) {
            return true;
        }
    }
}
