package io.iocagent.http;

import java.time.Duration;

/**
 * The resource bounds of the HTTP surfaces: what one client, or all of them together, can make
 * the agent hold. Each is an agent setting (docs/agent.md "Limits"); the defaults keep the agent
 * within its 48 MiB heap at 2,000 IOCs while every limit is hit at once (docs/security.md
 * "Threat model").
 *
 * @param requestTimeout       a request line, headers and body must arrive within this (slowloris);
 *                             also how long an idle keep-alive connection is kept
 * @param responseTimeout      a response must be taken by the client within this
 * @param requestBytes         largest Jolokia request body; larger is refused with 413 unread
 * @param bulkMax              most requests in one Jolokia bulk (a JSON array); more is refused
 * @param responseBytes        largest Jolokia response; a longer one is cut off and the connection closed
 * @param notificationClients  Jolokia notification clients ({@code register}) held at once, all callers
 * @param clientsPerCaller     of those, per caller (user name, or anonymous per address)
 * @param listenersPerClient   notification listeners ({@code add}) per client
 * @param notificationIdle     a client that neither pulls, pings nor adds for this long is unregistered
 * @param loginFailuresFree    failed logins per client address before back-off starts
 * @param loginBackoffMax      the longest back-off (it doubles from 1 s per further failure)
 * @param loginConcurrency     password checks (PBKDF2) running at once; more wait for no one: they get 429
 * @param jolokiaConcurrency   Jolokia requests executed at once (the others wait for a slot)
 */
public record HttpLimits(Duration requestTimeout, Duration responseTimeout, int requestBytes, int bulkMax,
                         long responseBytes, int notificationClients, int clientsPerCaller, int listenersPerClient,
                         Duration notificationIdle, int loginFailuresFree, Duration loginBackoffMax,
                         int loginConcurrency, int jolokiaConcurrency) {

    /** The shipped defaults. */
    public static final HttpLimits DEFAULTS = new HttpLimits(Duration.ofSeconds(5), Duration.ofSeconds(30),
            256 * 1024, 20, 16L << 20, 64, 8, 16, Duration.ofMinutes(5), 3, Duration.ofSeconds(60), 1, 4);

    public HttpLimits {
        positive("http.request.timeout", requestTimeout.toMillis());
        positive("http.response.timeout", responseTimeout.toMillis());
        positive("jolokia.request.max.bytes", requestBytes);
        positive("jolokia.bulk.max", bulkMax);
        positive("jolokia.response.max.bytes", responseBytes);
        positive("jolokia.notification.clients.max", notificationClients);
        positive("jolokia.notification.clients.per.caller", clientsPerCaller);
        positive("jolokia.notification.listeners.per.client", listenersPerClient);
        positive("jolokia.notification.idle", notificationIdle.toMillis());
        positive("login.backoff.max", loginBackoffMax.toMillis());
        positive("login.concurrency", loginConcurrency);
        positive("jolokia.concurrency", jolokiaConcurrency);
        if (loginFailuresFree < 0) {
            throw new IllegalArgumentException("login.failures.free must not be negative.");
        }
    }

    private static void positive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be greater than 0.");
        }
    }

    /**
     * Applies the timeouts to the JDK HTTP server ({@code sun.net.httpserver.*}, read once when
     * its classes load, so this must run before any server is created; JVM-wide).
     * {@code maxReqTime} closes a connection whose request has not fully arrived in time (in JDK
     * 17 the request line, headers and body are read on a pool thread, which a half-sent request
     * would otherwise hold for ever); {@code maxRspTime} closes one whose client does not take
     * the response; {@code idleInterval} ends idle keep-alive connections. Values a site set
     * itself with {@code -D} are kept.
     */
    public void applyJvmWide() {
        setIfAbsent("sun.net.httpserver.maxReqTime", Long.toString(Math.max(1, requestTimeout.toSeconds())));
        setIfAbsent("sun.net.httpserver.maxRspTime", Long.toString(Math.max(1, responseTimeout.toSeconds())));
        setIfAbsent("sun.net.httpserver.idleInterval", Long.toString(Math.max(1, requestTimeout.toSeconds())));
        setIfAbsent("sun.net.httpserver.timerMillis", "500");
        setIfAbsent("sun.net.httpserver.maxIdleConnections", "64");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
