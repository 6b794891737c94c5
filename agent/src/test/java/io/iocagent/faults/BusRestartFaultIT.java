package io.iocagent.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.IsolatedUserManager;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGKILL of the user's dbus-daemon (the manager lives on and socket-activates a new one): the agent
 * loses its connection and follows systemd through the new bus (a stop made after the kill shows). On an isolated user manager.
 */
class BusRestartFaultIT {

    private static final String CONNECTED = "epics_ioc_agent_systemd_connected";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theAgentReconnectsAfterTheBusDaemonIsKilled() throws Exception {
        try (IsolatedUserManager manager = IsolatedUserManager.start();
             UserAgent agent = UserAgent.on(manager)) {
            agent.installAndStart("busgone");
            agent.startAgent();
            agent.awaitValue(CONNECTED, 1, Duration.ofSeconds(30));
            agent.awaitValue("epics_ioc_up{ioc=\"busgone\"}", 1, Duration.ofSeconds(30));

            long killed = System.nanoTime();
            manager.killBus();
            // The next call finds the connection gone and retries at once on a new one (the manager's
            // socket activates a new daemon), so the outage may never show: prove the agent follows
            // systemd through the new bus by a change made after the kill.
            assertTrue(agent.cli("--local", "stop", "busgone").exit() == 0, "stop through the new bus");
            long stopped = agent.awaitValue("epics_ioc_up{ioc=\"busgone\"}", 0, Duration.ofSeconds(30));
            System.out.println("[faults] dbus-daemon killed -> a stop after it shown by the agent: "
                    + TimeUnit.NANOSECONDS.toMillis(stopped - killed) + " ms");
            agent.awaitValue(CONNECTED, 1, Duration.ofSeconds(30));
            assertTrue(manager.busDaemonPids().size() == 1, "one new dbus-daemon");
        }
    }
}
