package io.iocagent.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.iocagent.testbed.IsolatedUserManager;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kill -9} of {@code systemd --user} while an IOC runs, a new manager, and the IOC started
 * again: the first procServ lives on as an orphan the new manager does not know, beside the
 * unit's new procServ, both writing to one log. The agent must report the orphan
 * ({@code epics_ioc_orphan_processes}) and, when the orphan is killed (SIGTERM, as an operator
 * would; it logs its child's death on the way out), keep the live IOC READY — no
 * {@code CRASH_LOOP}, no {@code STARTING} for ever. On an isolated user manager: killing the shared
 * one would break every other test.
 */
class OrphanProcServFaultIT {

    private static final String IOC = "orphan";
    private static final String UNIT = "epics-@" + IOC + ".service";
    private static final String READY = "epics_ioc_ready{ioc=\"" + IOC + "\"}";
    private static final String ORPHANS = "epics_ioc_orphan_processes{ioc=\"" + IOC + "\"}";
    private static final String CONNECTED = "epics_ioc_agent_systemd_connected";
    private static final String REFRESHED = "epics_ioc_agent_last_refresh_timestamp_seconds";
    private static final Duration POLLS = Duration.ofSeconds(90); // several 5 s polls on a loaded machine

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void anOrphanedProcServIsReportedAndKillingItLeavesTheLiveIocReady() throws Exception {
        try (IsolatedUserManager manager = IsolatedUserManager.start();
             UserAgent agent = UserAgent.on(manager)) {
            agent.installAndStart(IOC);
            agent.startAgent();
            agent.awaitValue(READY, 1, POLLS);
            agent.awaitValue(ORPHANS, 0, POLLS);
            long first = mainPid(manager);
            assertCommandLineShowsOrphans(agent, java.util.List.of(), -1);

            manager.killManager();
            manager.startManager();
            assertTrue(alive(first), "the first procServ " + first + " outlives its manager");
            agent.awaitValue(CONNECTED, 1, POLLS);

            UserAgent.CliResult start = agent.cli("--local", "start", IOC);
            assertEquals(0, start.exit(), "start beside the orphan: " + start.output());
            long second = mainPid(manager);
            assertNotEquals(first, second, "the new manager runs a procServ of its own");
            assertTrue(alive(first), "the orphan procServ " + first + " still runs");

            agent.awaitValue(READY, 1, POLLS);
            double orphans = awaitAtLeast(agent, ORPHANS, 1, POLLS);
            System.out.println("[faults] orphan procServ " + first + " beside unit procServ " + second
                    + ": epics_ioc_orphan_processes " + orphans);
            assertCommandLineShowsOrphans(agent, java.util.List.of(first), second);

            ProcessHandle.of(first).orElseThrow().destroy(); // SIGTERM: procServ kills its child and logs it
            ProcessHandle.of(first).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
            // Every scrape from the kill until the agent has refreshed for 11 s more after the orphan
            // was gone from its report says READY (a false crash would last 10 s at least).
            long deadline = System.nanoTime() + POLLS.toNanos();
            double goneAt = -1;
            String last = "";
            while (true) {
                if (System.nanoTime() > deadline) {
                    fail("IOC " + IOC + ": the orphan was still reported, or the agent did not refresh, "
                            + POLLS.toSeconds() + " s after the orphan was killed:\n" + last);
                }
                last = agent.scrape();
                assertEquals(1.0, UserAgent.value(last, READY).orElse(-1),
                        "IOC " + IOC + ": not READY after only the orphan was killed:\n" + last);
                double refreshed = UserAgent.value(last, REFRESHED).orElse(0);
                if (goneAt < 0 && UserAgent.value(last, ORPHANS).orElse(-1) == 0) {
                    goneAt = refreshed;
                }
                if (goneAt > 0 && refreshed >= goneAt + 11) {
                    break;
                }
                UserAgent.sleep(100);
            }
            assertEquals("active", manager.systemctl("show", "-P", "ActiveState", UNIT).trim(), "systemd agrees");
            assertEquals(second, mainPid(manager), "the unit's procServ is untouched");
            assertTrue(alive(second));
            // inspect is left out now: the orphan unlinked the shared console path as it exited, so
            // inspect (which resolves that file) has no socket to trace.
            assertListShowsOrphans(agent, java.util.List.of(), -1);
        }
    }

    /**
     * {@code list -vv} (ORPHANS column), {@code list --json} ({@code orphanPids}) and {@code inspect}
     * name the orphans among {@code expected} (each of them, never the unit's own procServ
     * {@code unitPid}); with none expected, they say none.
     */
    private static void assertCommandLineShowsOrphans(UserAgent agent, java.util.List<Long> expected, long unitPid) {
        java.util.List<String> listed = assertListShowsOrphans(agent, expected, unitPid);
        UserAgent.CliResult inspect = agent.cli("--local", "inspect", IOC);
        assertEquals(0, inspect.exit(), inspect.output());
        if (expected.isEmpty()) {
            assertTrue(!inspect.output().contains("Orphaned processes"), "inspect without an orphan:\n" + inspect.output());
            return;
        }
        String section = inspect.output().substring(inspect.output().indexOf("Orphaned processes"));
        for (String pid : listed) {
            assertTrue(section.contains(" " + pid + " "), "inspect names orphan " + pid + ":\n" + inspect.output());
        }
        assertTrue(section.contains("(PID " + unitPid + ")"), "inspect names the unit's procServ:\n" + inspect.output());
    }

    /** The {@code list -vv} and {@code list --json} part of {@link #assertCommandLineShowsOrphans}; the orphans listed. */
    private static java.util.List<String> assertListShowsOrphans(UserAgent agent, java.util.List<Long> expected, long unitPid) {
        UserAgent.CliResult vv = agent.cli("--local", "list", "-vv");
        assertEquals(0, vv.exit(), vv.output());
        String header = vv.output().lines().filter(l -> l.startsWith("IOC NAME")).findFirst().orElseThrow(
                () -> new AssertionError("list -vv printed no header:\n" + vv.output()));
        assertTrue(header.endsWith("| ORPHANS"), "list -vv's last column is ORPHANS: " + header);
        String row = vv.output().lines().filter(l -> l.startsWith(IOC + " ")).findFirst().orElseThrow(
                () -> new AssertionError("list -vv has no row for " + IOC + ":\n" + vv.output()));
        String column = row.substring(row.lastIndexOf('|') + 1).trim();
        UserAgent.CliResult json = agent.cli("--local", "list", "--json");
        assertEquals(0, json.exit(), json.output());
        String entry = json.output().substring(json.output().indexOf("{\"name\":\"" + IOC + "\""));
        String pids = entry.substring(entry.indexOf("\"orphanPids\":[") + 14, entry.indexOf(']', entry.indexOf("\"orphanPids\":[")));
        if (expected.isEmpty()) {
            assertEquals("-", column, "IOC " + IOC + ": list -vv's ORPHANS without an orphan: " + row);
            assertEquals("", pids, "IOC " + IOC + ": list --json's orphanPids without an orphan: " + entry);
            return java.util.List.of();
        }
        java.util.List<String> listed = java.util.List.of(column.split(","));
        java.util.List<String> inJson = java.util.List.of(pids.split(","));
        assertEquals(listed, inJson, "list -vv and list --json name the same orphans");
        for (long pid : expected) {
            assertTrue(listed.contains(Long.toString(pid)), "IOC " + IOC + ": orphan procServ " + pid + " in list -vv: " + row);
        }
        assertTrue(!listed.contains(Long.toString(unitPid)), "the unit's own procServ " + unitPid + " is no orphan: " + row);
        return listed;
    }

    private static long mainPid(IsolatedUserManager manager) {
        return Long.parseLong(manager.systemctl("show", "-P", "MainPID", UNIT).trim());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Waits until a scrape shows {@code series} at {@code min} or more; returns the value. */
    private static double awaitAtLeast(UserAgent agent, String series, double min, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = agent.scrape();
            OptionalDouble v = UserAgent.value(last, series);
            if (v.isPresent() && v.getAsDouble() >= min) {
                return v.getAsDouble();
            }
            UserAgent.sleep(100);
        }
        fail("Timed out after " + timeout.toSeconds() + " s waiting for " + series + " >= " + min + ":\n" + last
                + "\nAgent output:\n" + agent.output());
        return 0;
    }
}
