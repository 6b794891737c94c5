package io.iocagent.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.IsolatedUserManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kill -9} of {@code systemd --user} and a new manager started while the old dbus-daemon
 * lives on (the agent's connection still reaches it, but it no longer has
 * {@code org.freedesktop.systemd1}): the agent must notice the name is gone and be connected to the
 * new manager within 5 s of it owning the name. On an isolated user manager: killing the shared one
 * would break every other test.
 */
class ManagerReplacedFaultIT {

    private static final String CONNECTED = "epics_ioc_agent_systemd_connected";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theAgentReconnectsWithinFiveSecondsOfANewManagerOwningTheName() throws Exception {
        try (IsolatedUserManager manager = IsolatedUserManager.start();
             UserAgent agent = UserAgent.on(manager)) {
            agent.installAndStart("replaced");
            agent.startAgent();
            agent.awaitValue(CONNECTED, 1, Duration.ofSeconds(30));
            List<Long> daemons = manager.busDaemonPids();
            assertEquals(1, daemons.size(), "one dbus-daemon before the fault");

            long killed = System.nanoTime();
            manager.killManager();
            long noticed = agent.awaitValue(CONNECTED, 0, Duration.ofSeconds(30));
            System.out.println("[faults] manager killed -> agent reports systemd disconnected: "
                    + TimeUnit.NANOSECONDS.toMillis(noticed - killed) + " ms");
            assertTrue(manager.busDaemonPids().containsAll(daemons), "the old dbus-daemon lives on");
            String offline = agent.scrape();
            assertTrue(UserAgent.value(offline, "epics_ioc_up{ioc=\"replaced\"}").isEmpty(),
                    "IOC replaced: epics_ioc_up must be absent (unknown) while systemd is unreachable:\n" + offline);

            manager.startManager();
            long owned = awaitNameOwned(manager);
            long reconnected = agent.awaitValue(CONNECTED, 1, Duration.ofSeconds(30));
            long millis = TimeUnit.NANOSECONDS.toMillis(reconnected - owned);
            System.out.println("[faults] new manager owns org.freedesktop.systemd1 -> agent connected: " + millis + " ms");
            assertTrue(manager.busDaemonPids().containsAll(daemons), "the old dbus-daemon still lives");
            assertTrue(millis <= 5000, "reconnected " + millis + " ms after the new manager owned the name (at most 5000)");
        }
    }

    /** Waits until {@code org.freedesktop.systemd1} has an owner on the bus at the socket path; returns when. */
    private static long awaitNameOwned(IsolatedUserManager manager) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String out = manager.run("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus", "org.freedesktop.DBus.GetNameOwner", "string:org.freedesktop.systemd1");
            if (out.contains("string \":")) {
                return System.nanoTime();
            }
            UserAgent.sleep(20);
        }
        throw new AssertionError("No manager owned org.freedesktop.systemd1 within 30 s of starting it");
    }
}
