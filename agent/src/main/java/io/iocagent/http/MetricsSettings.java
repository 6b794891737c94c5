package io.iocagent.http;

/**
 * Where the Prometheus endpoint listens. {@code /metrics} carries no secrets and needs no login, so
 * any address may be bound; a non-loopback address without TLS is only logged.
 *
 * @param host    address to bind, loopback by default
 * @param port    TCP port, 0 for an ephemeral one (tests)
 * @param tls     HTTPS keystore, or null for plain HTTP
 */
public record MetricsSettings(String host, int port, TlsKeystore tls) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9464;

    public MetricsSettings {
        if (host == null || host.isBlank()) {
            throw new EndpointException("Metrics: no host to listen on.", "-> Use 127.0.0.1, or the address Prometheus scrapes.");
        }
        if (port < 0 || port > 65535) {
            throw new EndpointException("Metrics: port " + port + " is out of range.", "-> Use 1-65535 (default " + DEFAULT_PORT + ").");
        }
    }

    /** Loopback on the default port, plain HTTP. */
    public static MetricsSettings defaults() {
        return new MetricsSettings(DEFAULT_HOST, DEFAULT_PORT, null);
    }
}
