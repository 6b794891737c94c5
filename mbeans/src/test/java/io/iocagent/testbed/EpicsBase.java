package io.iocagent.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The EPICS base the integration tests run real IOCs and clients from, shared by every test of a
 * run (located once): {@code $EPICS_BASE}, else the cache {@code .ci/epics-base-up} builds,
 * {@code /var/cache/epics-ioc-agent/base-7.0.3.1}.
 *
 * <p>{@link #require()} skips the calling test with one line naming what is missing — unless
 * {@code IOC_AGENT_IT_REQUIRED=1} (set by {@code .ci/run}), in which case it fails.
 *
 * <p>Several IOCs share one host here (other tests, other test runs), so each test IOC gets its own
 * set of ports ({@link Ports}, written into its conf) and clients search only those on loopback
 * ({@link #clientEnv(Ports)}).
 */
public final class EpicsBase {

    /** Where {@code .ci/epics-base-up} caches the built tree. */
    public static final Path DEFAULT = Path.of("/var/cache/epics-ioc-agent/base-7.0.3.1");

    private static final List<String> TOOLS =
            List.of("softIoc", "softIocPVA", "caget", "camonitor", "caput", "pvget", "pvmonitor", "caRepeater");

    private static volatile EpicsBase located;

    private final Path base;

    private EpicsBase(Path base) {
        this.base = base;
    }

    /** The shared EPICS base, or a skip/failure of the calling test naming what is missing. */
    public static EpicsBase require() {
        EpicsBase b = located;
        if (b != null) {
            return b;
        }
        Path base = Optional.ofNullable(System.getenv("EPICS_BASE")).filter(s -> !s.isBlank()).map(Path::of)
                .orElse(DEFAULT);
        List<String> missing = TOOLS.stream()
                .filter(t -> !Files.isExecutable(base.resolve("bin/linux-x86_64").resolve(t))).toList();
        TestBed.requireOrSkip(missing.isEmpty(), "EPICS base at " + base + " lacks " + missing
                + " (build it with .ci/epics-base-up, or set EPICS_BASE).");
        b = new EpicsBase(base);
        located = b;
        return b;
    }

    /** {@code <base>/bin/linux-x86_64}. */
    public Path bin() {
        return base.resolve("bin/linux-x86_64");
    }

    /** An EPICS executable, e.g. {@code softIoc} or {@code caget}. */
    public Path tool(String name) {
        return bin().resolve(name);
    }

    /**
     * A port free for both TCP and UDP on loopback right now, for one IOC's CA server
     * ({@code EPICS_CAS_SERVER_PORT}) or PVA server ({@code EPICS_PVAS_SERVER_PORT}).
     */
    public static int freePort() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, lo)) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(port)) {
                    return port;
                } catch (IOException busy) {
                    // taken for UDP: try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no port free for both TCP and UDP after 50 attempts");
    }

    /**
     * The ports one test IOC serves on, all on loopback: Channel Access (TCP and UDP), the PV Access
     * server (TCP) and PV Access searches (UDP).
     */
    public record Ports(int ca, int pva, int pvaSearch) {

        /** Three ports free right now. */
        public static Ports free() {
            return new Ports(freePort(), freePort(), freePort());
        }

        /**
         * Lines for the IOC's conf (the unit's EnvironmentFile). pvAccess binds its search socket per
         * broadcast-capable interface, which leaves out loopback, unless told the interface.
         */
        public String confLines() {
            return "EPICS_CAS_SERVER_PORT=\"" + ca + "\"\n"
                    + "EPICS_CAS_INTF_ADDR_LIST=\"127.0.0.1\"\n"
                    + "EPICS_PVAS_SERVER_PORT=\"" + pva + "\"\n"
                    + "EPICS_PVAS_BROADCAST_PORT=\"" + pvaSearch + "\"\n"
                    + "EPICS_PVAS_INTF_ADDR_LIST=\"127.0.0.1\"\n";
        }
    }

    /**
     * Environment for a CA/PVA client that talks only to the IOC serving on {@code ports} on
     * loopback, with the EPICS bin directory on PATH (clients look for {@code caRepeater} there).
     */
    public Map<String, String> clientEnv(Ports ports) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin() + ":" + Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin"));
        env.put("EPICS_CA_ADDR_LIST", "127.0.0.1");
        env.put("EPICS_CA_AUTO_ADDR_LIST", "NO");
        env.put("EPICS_CA_SERVER_PORT", Integer.toString(ports.ca()));
        env.put("EPICS_PVA_ADDR_LIST", "127.0.0.1");
        env.put("EPICS_PVA_AUTO_ADDR_LIST", "NO");
        env.put("EPICS_PVA_BROADCAST_PORT", Integer.toString(ports.pvaSearch()));
        return env;
    }

    /** A finished client run. */
    public record ToolRun(int exit, String out) {
    }

    /**
     * Runs an EPICS client to completion (at most {@code timeoutSeconds}), e.g.
     * {@code run(clientEnv(ports), 10, "caget", "-t", pv)}.
     */
    public ToolRun run(Map<String, String> env, int timeoutSeconds, String tool, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool(tool).toString());
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("epics-" + tool + "-", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                pb.environment().putAll(env);
                Process p = pb.start();
                boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
                if (!done) {
                    p.destroyForcibly().waitFor();
                }
                String text = Files.readString(out, StandardCharsets.ISO_8859_1);
                return new ToolRun(done ? p.exitValue() : -1, text);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + tool, e);
        }
    }

    /** Starts a long-running client ({@code camonitor}, {@code pvmonitor}); the caller destroys it. */
    public Process spawn(Map<String, String> env, Path output, String tool, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool(tool).toString());
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
