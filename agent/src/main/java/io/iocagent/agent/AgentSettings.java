package io.iocagent.agent;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.iocagent.conf.IocName;
import io.iocagent.http.HttpLimits;
import io.iocagent.probe.Heartbeats;
import io.iocagent.probe.ProbeSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything the agent daemon can be told: addresses, ports, credential and policy files,
 * intervals. Read from one properties file ({@code --config FILE}, example in
 * {@code deploy/agent/agent.properties}) with every key also settable as a flag
 * {@code --key=value}; flags win. Unknown keys and bad values are errors naming the key.
 *
 * <p>Defaults are safe: Jolokia and /metrics on loopback, remote JMX off, every resource bounded
 * ({@link HttpLimits}). Secrets never come from flags: a flag is on the command line, which every
 * local user reads in {@code /proc/PID/cmdline} (and JMX in {@code sun.java.command}).
 */
public record AgentSettings(String jolokiaHost, int jolokiaPort, boolean jolokiaEnabled, Optional<Path> jolokiaPolicy,
                            List<String> corsOrigins, String metricsHost, int metricsPort, boolean metricsEnabled,
                            Optional<Integer> jmxRemotePort, String jmxRemoteHost, Optional<Path> credentials,
                            Optional<Path> tlsKeystore, Optional<String> tlsKeystorePassword, Duration pollInterval,
                            Optional<Path> auditLog, Duration auditRefusalsInterval, HttpLimits limits,
                            ProbeSettings probe, Heartbeats heartbeats) {

    /** Every key, with its default ("" = unset) and what it means (shown by {@code agent --help}). */
    static final Map<String, String[]> KEYS = keys();

    /** A setting as {@code agent --help} shows it; {@code flag} false for keys taken only from the file. */
    public record Key(String name, String defaultValue, String meaning, boolean flag) {
    }

    /**
     * A heartbeat PV per IOC: {@code probe.heartbeat.pv.NAME=PV} for any valid IOC name; the one
     * family of keys not listed in {@link #KEYS}.
     */
    static final String HEARTBEAT_PV = "probe.heartbeat.pv.";

    /** Every setting, in the order of the example file. */
    public static List<Key> describe() {
        List<Key> keys = new ArrayList<>(KEYS.entrySet().stream()
                .map(e -> new Key(e.getKey(), e.getValue()[0], e.getValue()[1], !e.getKey().equals("tls.keystore.password")))
                .toList());
        int at = keys.indexOf(keys.stream().filter(k -> k.name().equals("probe.heartbeat.stale")).findFirst().orElseThrow());
        keys.add(at, new Key(HEARTBEAT_PV + "NAME", "", "IOC NAME's heartbeat PV: HUNG also when its value stops changing",
                true));
        return List.copyOf(keys);
    }

    private static Map<String, String[]> keys() {
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put("jolokia.enabled", new String[] {"true", "serve Jolokia HTTP"});
        k.put("jolokia.host", new String[] {"127.0.0.1", "Jolokia bind address (non-loopback needs credentials)"});
        k.put("jolokia.port", new String[] {"8778", "Jolokia port (0 = any free port)"});
        k.put("jolokia.policy", new String[] {"", "Jolokia access policy file (default: the shipped policy)"});
        k.put("jolokia.cors.origins", new String[] {"", "comma-separated origins allowed cross-origin (default: none)"});
        k.put("metrics.enabled", new String[] {"true", "serve Prometheus /metrics"});
        k.put("metrics.host", new String[] {"127.0.0.1", "/metrics bind address"});
        k.put("metrics.port", new String[] {"9464", "/metrics port (0 = any free port)"});
        k.put("jmx.remote.port", new String[] {"", "remote JMX (RMI registry and server on this one port); off when unset"});
        k.put("jmx.remote.host", new String[] {"127.0.0.1", "remote JMX bind address (non-loopback needs credentials)"});
        k.put("credentials.file", new String[] {"", "users, roles (viewer|operator) and password hashes for Jolokia and remote JMX"});
        k.put("tls.keystore", new String[] {"", "PKCS12 keystore: enables TLS for Jolokia and remote JMX"});
        k.put("tls.keystore.password", new String[] {"", "its password (in the file only, never as a flag)"});
        k.put("tls.keystore.password.file", new String[] {"", "file holding the keystore password (first line); or set IOC_AGENT_TLS_KEYSTORE_PASSWORD"});
        k.put("poll.interval", new String[] {"5s", "how often CPU, memory, sockets and console clients are read (e.g. 5s, 500ms)"});
        k.put("audit.log", new String[] {"", "file for the audit log (default: the agent's own log)"});
        k.put("audit.refusals.interval", new String[] {"60s", "identical refusals: one audit line per interval (count=N); 0s: all"});
        ProbeSettings p = ProbeSettings.DEFAULTS;
        k.put("probe.enabled", new String[] {Boolean.toString(p.enabled()),
                "probe every READY IOC's Channel Access server for hangs (Readiness HUNG)"});
        k.put("probe.interval", new String[] {p.interval().toSeconds() + "s", "how often each READY IOC is probed"});
        k.put("probe.timeout", new String[] {p.timeout().toMillis() + "ms", "how long a probe may wait for the answer (< probe.interval)"});
        k.put("probe.failures", new String[] {Integer.toString(p.failures()),
                "unanswered probes in a row that make a live IOC HUNG"});
        k.put("probe.connections.max", new String[] {Integer.toString(p.maxConnections()),
                "most probe connections open at once (one per probed IOC)"});
        k.put("probe.heartbeat.stale", new String[] {Heartbeats.DEFAULT_STALE.toSeconds() + "s",
                "a heartbeat PV unchanged this long fails the probe (longer than its update period)"});
        HttpLimits d = HttpLimits.DEFAULTS;
        k.put("http.request.timeout", new String[] {d.requestTimeout().toSeconds() + "s",
                "a request (line, headers, body) must arrive within this; idle connections close after it"});
        k.put("http.response.timeout", new String[] {d.responseTimeout().toSeconds() + "s", "a client must take its response within this"});
        k.put("jolokia.request.max.bytes", new String[] {Integer.toString(d.requestBytes()), "largest Jolokia request body"});
        k.put("jolokia.bulk.max", new String[] {Integer.toString(d.bulkMax()), "most requests in one Jolokia bulk"});
        k.put("jolokia.response.max.bytes", new String[] {Long.toString(d.responseBytes()), "largest Jolokia response; longer ones are cut off"});
        k.put("jolokia.concurrency", new String[] {Integer.toString(d.jolokiaConcurrency()), "Jolokia requests executed at once"});
        k.put("jolokia.notification.clients.max", new String[] {Integer.toString(d.notificationClients()),
                "notification clients registered at once, all callers"});
        k.put("jolokia.notification.clients.per.caller", new String[] {Integer.toString(d.clientsPerCaller()),
                "notification clients per user (anonymous: per address)"});
        k.put("jolokia.notification.listeners.per.client", new String[] {Integer.toString(d.listenersPerClient()),
                "notification listeners per client"});
        k.put("jolokia.notification.idle", new String[] {d.notificationIdle().toMinutes() + "m",
                "a notification client silent this long is unregistered"});
        k.put("login.failures.free", new String[] {Integer.toString(d.loginFailuresFree()),
                "failed logins per client address before back-off"});
        k.put("login.backoff.max", new String[] {d.loginBackoffMax().toSeconds() + "s", "longest login back-off"});
        k.put("login.concurrency", new String[] {Integer.toString(d.loginConcurrency()), "password checks running at once"});
        return java.util.Collections.unmodifiableMap(k);
    }

    /**
     * A {@code #} after white space inside a value: {@link Properties} keeps it as part of the value
     * (comments are whole lines), so {@code metrics.host=0.0.0.0  # note} would be read as an address
     * with a comment in it. No setting's value holds such a sequence, so it is refused by name.
     */
    private static final Pattern INLINE_COMMENT = Pattern.compile("\\s#");

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");

    /**
     * Builds settings from an optional file and flags.
     *
     * @throws IllegalArgumentException naming the key and the problem, for unknown keys and bad values
     */
    public static AgentSettings load(Optional<Path> file, Map<String, String> flags) {
        return load(file, flags, Map.of());
    }

    /**
     * As {@link #load(Optional, Map)}, with the process environment for {@value #PASSWORD_ENV}.
     */
    public static AgentSettings load(Optional<Path> file, Map<String, String> flags, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        KEYS.forEach((k, v) -> values.put(k, v[0]));
        if (file.isPresent()) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file.get(), StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot read the agent configuration " + file.get() + ": " + e.getMessage());
            }
            for (String key : p.stringPropertyNames()) {
                String value = p.getProperty(key).trim();
                if (INLINE_COMMENT.matcher(value).find()) {
                    throw new IllegalArgumentException(key + " in " + file.get() + " ends in an inline comment ('"
                            + value + "'): a properties file takes comments only on lines of their own."
                            + "\n  -> Move the '#' comment to its own line above '" + key + "'.");
                }
                put(values, key, value, "in " + file.get());
            }
        }
        if (flags.containsKey("tls.keystore.password")) {
            throw new IllegalArgumentException("tls.keystore.password must not be given as a flag: every local user can read"
                    + " a command line (/proc/PID/cmdline).\n  -> Put it in the configuration file (mode 0640), in a file"
                    + " named by tls.keystore.password.file, or in the environment variable " + PASSWORD_ENV + ".");
        }
        flags.forEach((k, v) -> put(values, k, v, "as a flag"));
        return new AgentSettings(
                host(values, "jolokia.host"), port(values, "jolokia.port"), bool(values, "jolokia.enabled"),
                path(values, "jolokia.policy"), list(values.get("jolokia.cors.origins")),
                host(values, "metrics.host"), port(values, "metrics.port"), bool(values, "metrics.enabled"),
                values.get("jmx.remote.port").isEmpty() ? Optional.empty() : Optional.of(port(values, "jmx.remote.port")),
                host(values, "jmx.remote.host"), path(values, "credentials.file"),
                path(values, "tls.keystore"), keystorePassword(values, env),
                duration(values, "poll.interval", Duration.ofMillis(100)), path(values, "audit.log"),
                duration(values, "audit.refusals.interval", Duration.ZERO), limits(values), probe(values),
                heartbeats(values));
    }

    /** The environment variable that may carry the keystore password. */
    public static final String PASSWORD_ENV = "IOC_AGENT_TLS_KEYSTORE_PASSWORD";

    private static Optional<String> keystorePassword(Map<String, String> values, Map<String, String> env) {
        Optional<Path> file = path(values, "tls.keystore.password.file");
        if (file.isPresent()) {
            try {
                List<String> lines = Files.readAllLines(file.get(), StandardCharsets.UTF_8);
                return Optional.of(lines.isEmpty() ? "" : lines.get(0));
            } catch (IOException e) {
                throw new IllegalArgumentException("tls.keystore.password.file " + file.get() + " cannot be read: " + e.getMessage());
            }
        }
        String inFile = values.get("tls.keystore.password");
        if (!inFile.isEmpty()) {
            return Optional.of(inFile);
        }
        return Optional.ofNullable(env.get(PASSWORD_ENV)).filter(p -> !p.isEmpty());
    }

    private static HttpLimits limits(Map<String, String> v) {
        try {
            return new HttpLimits(duration(v, "http.request.timeout", Duration.ofSeconds(1)),
                    duration(v, "http.response.timeout", Duration.ofSeconds(1)),
                    count(v, "jolokia.request.max.bytes"), count(v, "jolokia.bulk.max"),
                    count(v, "jolokia.response.max.bytes"), count(v, "jolokia.notification.clients.max"),
                    count(v, "jolokia.notification.clients.per.caller"), count(v, "jolokia.notification.listeners.per.client"),
                    duration(v, "jolokia.notification.idle", Duration.ofSeconds(1)), count(v, "login.failures.free"),
                    duration(v, "login.backoff.max", Duration.ofSeconds(1)), count(v, "login.concurrency"),
                    count(v, "jolokia.concurrency"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static ProbeSettings probe(Map<String, String> v) {
        return new ProbeSettings(bool(v, "probe.enabled"), duration(v, "probe.interval", Duration.ofMillis(100)),
                duration(v, "probe.timeout", Duration.ofMillis(10)), count(v, "probe.failures"),
                count(v, "probe.connections.max"));
    }

    /** {@code probe.heartbeat.pv.NAME} lines with a value, and {@code probe.heartbeat.stale}. */
    private static Heartbeats heartbeats(Map<String, String> v) {
        Map<IocName, String> pvs = new LinkedHashMap<>();
        v.forEach((key, value) -> {
            if (key.startsWith(HEARTBEAT_PV) && !value.isEmpty()) {
                pvs.put(new IocName(key.substring(HEARTBEAT_PV.length())), value);
            }
        });
        return new Heartbeats(pvs, duration(v, "probe.heartbeat.stale", Duration.ofSeconds(1)));
    }

    private static int count(Map<String, String> v, String key) {
        String text = v.get(key);
        if (!text.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException(key + " '" + text + "' is not a whole number.");
        }
        return Integer.parseInt(text);
    }

    private static void put(Map<String, String> values, String key, String value, String where) {
        if (key.startsWith(HEARTBEAT_PV)) {
            String ioc = key.substring(HEARTBEAT_PV.length());
            if (!IocName.isValid(ioc)) {
                throw new IllegalArgumentException("Agent setting '" + key + "' " + where + " names no valid IOC ('"
                        + ioc + "').\n  -> Write " + HEARTBEAT_PV + "NAME=PV with NAME as in NAME.conf.");
            }
            values.put(key, value);
            return;
        }
        if (!KEYS.containsKey(key)) {
            throw new IllegalArgumentException("Unknown agent setting '" + key + "' " + where
                    + ". Known settings: " + String.join(", ", KEYS.keySet().stream().sorted().toList()));
        }
        values.put(key, value);
    }

    private static String host(Map<String, String> v, String key) {
        String host = v.get(key);
        try {
            InetAddress.getByName(host);
            return host;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(key + " '" + host + "' is not an address of this host.");
        }
    }

    private static int port(Map<String, String> v, String key) {
        String text = v.get(key);
        if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) > 65535) {
            throw new IllegalArgumentException(key + " '" + text + "' is not a port number (0-65535).");
        }
        return Integer.parseInt(text);
    }

    private static boolean bool(Map<String, String> v, String key) {
        String text = v.get(key);
        if (!Set.of("true", "false").contains(text)) {
            throw new IllegalArgumentException(key + " '" + text + "' must be true or false.");
        }
        return Boolean.parseBoolean(text);
    }

    private static Optional<Path> path(Map<String, String> v, String key) {
        String text = v.get(key);
        return text.isEmpty() ? Optional.empty() : Optional.of(Path.of(text));
    }

    private static Duration duration(Map<String, String> v, String key, Duration min) {
        Matcher m = DURATION.matcher(v.get(key));
        if (!m.matches()) {
            throw new IllegalArgumentException(key + " '" + v.get(key) + "' is not a duration like 5s, 500ms or 1m.");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
        if (d.compareTo(min) < 0) {
            throw new IllegalArgumentException(key + " must be at least " + min.toMillis() + "ms.");
        }
        return d;
    }

    private static List<String> list(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return List.copyOf(out);
    }
}
