package io.iocagent.cli;

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
import java.util.concurrent.CountDownLatch;

/**
 * {@code ioc-runner [--local] agent [--config FILE] [--key=value …]}: runs the agent daemon in
 * the foreground until SIGTERM/SIGINT, telling systemd {@code READY=1} once every surface
 * listens ({@code Type=notify}) and {@code STOPPING=1} on the way out.
 */
final class AgentCommand {

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
            t.err("Error: " + e.getMessage());
            e.hints().forEach(t::err);
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
