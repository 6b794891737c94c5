package io.iocagent.agent;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Defaults are safe: Jolokia and /metrics on loopback, remote JMX off.
 */
public record AgentSettings(String jolokiaHost, int jolokiaPort, boolean jolokiaEnabled, Optional<Path> jolokiaPolicy,
                            List<String> corsOrigins, String metricsHost, int metricsPort, boolean metricsEnabled,
                            Optional<Integer> jmxRemotePort, String jmxRemoteHost, Optional<Path> credentials,
                            Optional<Path> tlsKeystore, Optional<String> tlsKeystorePassword, Duration pollInterval,
                            Optional<Path> auditLog) {

    /** Every key, with its default ("" = unset) and what it means (shown by {@code agent --help}). */
    static final Map<String, String[]> KEYS = keys();

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
        k.put("tls.keystore.password", new String[] {"", "its password"});
        k.put("poll.interval", new String[] {"5s", "how often CPU, memory, sockets and console clients are read (e.g. 5s, 500ms)"});
        k.put("audit.log", new String[] {"", "file for the audit log (default: the agent's own log)"});
        return Map.copyOf(k);
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
        flags.forEach((k, v) -> put(values, k, v, "as a flag"));
        return new AgentSettings(
                host(values, "jolokia.host"), port(values, "jolokia.port"), bool(values, "jolokia.enabled"),
                path(values, "jolokia.policy"), list(values.get("jolokia.cors.origins")),
                host(values, "metrics.host"), port(values, "metrics.port"), bool(values, "metrics.enabled"),
                values.get("jmx.remote.port").isEmpty() ? Optional.empty() : Optional.of(port(values, "jmx.remote.port")),
                host(values, "jmx.remote.host"), path(values, "credentials.file"),
                path(values, "tls.keystore"), Optional.of(values.get("tls.keystore.password")).filter(s -> !s.isEmpty()),
                duration(values, "poll.interval"), path(values, "audit.log"));
    }

    private static void put(Map<String, String> values, String key, String value, String where) {
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

    private static Duration duration(Map<String, String> v, String key) {
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
        if (d.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException(key + " must be at least 100ms.");
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
