package io.iocagent.agent;

import io.iocagent.conf.Layout;
import io.iocagent.http.JolokiaEndpoint;
import io.iocagent.http.JolokiaSettings;
import io.iocagent.http.MetricsEndpoint;
import io.iocagent.http.MetricsSettings;
import io.iocagent.http.TlsKeystore;
import io.iocagent.jmx.CredentialsFile;
import io.iocagent.jmx.JmxSurface;
import io.iocagent.jmx.Operations;
import io.iocagent.jmx.RemoteJmx;
import io.iocagent.model.Refresher;
import io.iocagent.ops.AuditLog;
import io.iocagent.probe.CaEndpoint;
import io.iocagent.probe.HangProbe;
import io.iocagent.ops.Session;
import io.iocagent.posix.Account;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.security.GeneralSecurityException;
import javax.management.JMException;
import javax.management.MBeanServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent: the live model and every surface on it, started in dependency order and
 * closed in reverse. Wiring only — each part lives in its own package. Starts (and keeps running)
 * while systemd is unreachable; the model reports that and recovers by itself.
 */
public final class AgentDaemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentDaemon.class);

    /** Reply timeout of every D-Bus call the agent makes. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final List<String> endpoints = new ArrayList<>();
    private Refresher refresher;
    private String jolokiaUrl;
    private String metricsUrl;

    private AgentDaemon() {
    }

    /**
     * Starts the model and the surfaces {@code settings} enables.
     *
     * @throws IllegalArgumentException or {@link io.iocagent.http.EndpointException} for settings
     *                                  that cannot be served (the caller prints the message)
     * @throws IOException              when a port cannot be bound or a file cannot be read
     */
    public static AgentDaemon start(AgentSettings settings, Layout layout, Account account, Map<String, String> env,
                                    String busAddress) throws IOException {
        AgentDaemon d = new AgentDaemon();
        try {
            d.startAll(settings, layout, account, env, busAddress);
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        } catch (JMException e) {
            d.close();
            throw new IllegalStateException("Cannot register the agent's MBeans: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            d.close();
            throw new IllegalArgumentException("The TLS keystore " + settings.tlsKeystore().orElse(null)
                    + " cannot be used: " + e.getMessage(), e);
        }
    }

    private void startAll(AgentSettings s, Layout layout, Account account, Map<String, String> env, String busAddress)
            throws IOException, JMException, GeneralSecurityException {
        // The JDK HttpServer leaves Nagle's algorithm on; with the client's delayed ACK every
        // Jolokia reply then waits ~40 ms (measured: 44 ms → 4.5 ms median, docs/benchmarks-agent.md).
        // Read once when the server classes load, so it is set before any endpoint starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        s.limits().applyJvmWide();
        if (s.auditLog().isPresent()) {
            AuditFile.attach(s.auditLog().get());
        }
        if (!s.auditRefusalsInterval().isZero()) {
            opened(AuditLog.digestRefusals(s.auditRefusalsInterval()));
        }
        Optional<CredentialsFile> credentials = s.credentials().isPresent()
                ? Optional.of(CredentialsFile.open(s.credentials().get())) : Optional.empty();
        Optional<TlsKeystore> tls = s.tlsKeystore().map(p -> new TlsKeystore(p,
                s.tlsKeystorePassword().orElse("").toCharArray()));

        SharedBus bus = opened(new SharedBus(busAddress, CALL_TIMEOUT));
        refresher = opened(new Refresher(layout, bus, s.pollInterval(), Clock.systemUTC()));
        refresher.start();
        if (s.probe().enabled()) {
            opened(new HangProbe(refresher, CaEndpoint.SURVEYED, s.probe(), s.heartbeats(), refresher::probed)).start();
        }

        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        Map<String, String> frozenEnv = Map.copyOf(env);
        Operations operations = new Operations(
                (terminal, force) -> Session.onSharedBus(layout, account, frozenEnv, terminal, force, bus),
                refresher::refreshNow);
        opened(JmxSurface.register(mbeans, refresher, operations));
        endpoints.add("JMX:        epics.ioc:type=Manager and epics.ioc:type=Ioc,name=NAME (local attach: jconsole "
                + ProcessHandle.current().pid() + ")");

        if (s.jmxRemotePort().isPresent()) {
            RemoteJmx remote = opened(RemoteJmx.start(new RemoteJmx.Config(InetAddress.getByName(s.jmxRemoteHost()),
                    s.jmxRemotePort().get(), s.credentials(),
                    s.tlsKeystore().isPresent() ? Optional.of(RemoteJmx.Tls.fromKeyStore(s.tlsKeystore().get(),
                            s.tlsKeystorePassword().orElse("").toCharArray(), false)) : Optional.empty(),
                    Optional.empty()), mbeans));
            endpoints.add("Remote JMX: " + remote.serviceUrl());
        }
        if (s.jolokiaEnabled()) {
            JolokiaEndpoint jolokia = opened(JolokiaEndpoint.start(new JolokiaSettings(s.jolokiaHost(), s.jolokiaPort(),
                    tls.orElse(null), s.jolokiaPolicy().orElse(null), s.corsOrigins(), JolokiaSettings.DEFAULT_THREADS),
                    credentials.orElse(null), s.limits()));
            jolokiaUrl = jolokia.url().toString();
            endpoints.add("Jolokia:    " + jolokiaUrl);
        }
        if (s.metricsEnabled()) {
            MetricsEndpoint metrics = opened(MetricsEndpoint.start(
                    new MetricsSettings(s.metricsHost(), s.metricsPort(), tls.orElse(null)), refresher));
            metricsUrl = metrics.url().toString();
            endpoints.add("Prometheus: " + metricsUrl);
        }
    }

    /** The live model, for callers that wait on it (tests, the demo). */
    public Refresher model() {
        return refresher;
    }

    /** Jolokia's base URL, when it is enabled. */
    public Optional<String> jolokiaUrl() {
        return Optional.ofNullable(jolokiaUrl);
    }

    /** The /metrics URL, when it is enabled. */
    public Optional<String> metricsUrl() {
        return Optional.ofNullable(metricsUrl);
    }

    /** One line per surface: where to reach it. */
    public List<String> endpoints() {
        return List.copyOf(endpoints);
    }

    private <T extends AutoCloseable> T opened(T resource) {
        opened.push(resource);
        return resource;
    }

    /** Closes every surface and the model, newest first; never throws. */
    @Override
    public void close() {
        while (!opened.isEmpty()) {
            AutoCloseable c = opened.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Closing {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
