package io.iocagent.cli;

import io.iocagent.ops.SystemdConnector;
import io.iocagent.agent.AgentDaemon;
import io.iocagent.agent.AgentSettings;
import io.iocagent.agent.SdNotify;
import io.iocagent.agent.Watchdog;
import io.iocagent.conf.Layout;
import io.iocagent.http.EndpointException;
import io.iocagent.posix.Account;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ioc-runner [--local] agent [--config FILE] [--key=value …]}: runs the agent daemon in
 * the foreground until SIGTERM/SIGINT, telling systemd {@code READY=1} once every surface
 * listens and the first full snapshot of the IOCs is published ({@code Type=notify}: a client
 * started after the agent never sees an empty or partial model), and {@code STOPPING=1} on the way
 * out. An agent whose first snapshot takes longer than {@link #FIRST_SNAPSHOT_TIMEOUT} exits.
 */
final class AgentCommand {

    /** How long the first full snapshot may take (some 100 ms per 1,000 IOCs when healthy). */
    static final Duration FIRST_SNAPSHOT_TIMEOUT = Duration.ofSeconds(90);

    private AgentCommand() {
    }

    static int run(Arguments a, Map<String, String> env, Layout layout, Account account, StdTerminal t) {
        if (a.target().isPresent()) {
            t.err("Error: Unexpected argument '" + a.target().get() + "' for 'agent'.");
            t.err("  -> Settings are given as --key=value; see deploy/agent/agent.properties for every key.");
            return 1;
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT%1$tz %4$s %3$s: %5$s%6$s%n");
        Watchdog.install();
        AgentSettings settings;
        AgentDaemon daemon;
        try {
            settings = AgentSettings.load(a.config().map(Path::of), a.settings(), env);
            daemon = AgentDaemon.start(settings, layout, account, env,
                    SystemdConnector.address(layout.mode(), env, account));
        } catch (EndpointException e) {
            t.err("Error: " + e.problem());
            e.hints().forEach(h -> t.err("  " + h));
            return 1;
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            t.err("Error: " + e.getMessage());
            t.err("  -> Check the agent settings (" + a.config().orElse("defaults and flags") + ").");
            return 1;
        }
        Watchdog watchdog = Watchdog.start(daemon.model(), settings.pollInterval(), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watchdog.close();
            notify(env, "STOPPING=1", t);
            daemon.close();
            stopped.countDown();
        }, "agent-shutdown"));
        try {
            daemon.model().firstFullSnapshot().get(FIRST_SNAPSHOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            t.err("Error: The IOC model did not complete its first refresh within " + FIRST_SNAPSHOT_TIMEOUT.toSeconds()
                    + " s (" + e + ").");
            t.err("  -> Look at the agent's log for what it could not read; systemd restarts the agent.");
            daemon.close();
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            daemon.close();
            return 1;
        }
        t.out("epics-ioc-agent running in " + layout.mode().label() + " mode on " + layout.confDir() + " (PID "
                + ProcessHandle.current().pid() + ")");
        daemon.endpoints().forEach(e -> t.out("  " + e));
        t.flush();
        notify(env, "READY=1", t);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void notify(Map<String, String> env, String state, StdTerminal t) {
        try {
            SdNotify.send(env, state);
        } catch (IOException e) {
            t.err("Warning: could not notify systemd (" + state + "): " + e.getMessage());
        }
    }
}
