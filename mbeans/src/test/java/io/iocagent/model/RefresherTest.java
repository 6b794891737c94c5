package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.systemd.FakeManager;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live model's triggers and threads with systemd answered by a table ({@link FakeManager}):
 * what the first full snapshot holds, that signals and conf changes reach the snapshot without a
 * poll, what an unreachable systemd looks like and how the model follows it back, and the
 * once-a-minute re-read of every unit that picks up what systemd sends no signal for.
 */
class RefresherTest {

    private static final String PREFIX = "epics-@";
    private static final long WAIT_SECONDS = 30; // generous on a loaded machine; waits end at the condition

    @TempDir
    Path root;

    private Layout layout;
    private final FakeManager manager = new FakeManager(PREFIX);
    private final AtomicInteger connects = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    private Refresher refresher;

    @BeforeEach
    void setUp() throws IOException {
        layout = new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), PREFIX, new Identity("u", "g"));
        Files.createDirectories(layout.confDir());
        Files.createDirectories(layout.logDir());
    }

    @AfterEach
    void tearDown() {
        if (refresher != null) {
            refresher.close();
        }
    }

    private Refresher start(Duration pollInterval) {
        refresher = new Refresher(layout, pollInterval, Clock.systemUTC(), () -> {
            connects.incrementAndGet();
            return new FakeFeed(manager, closes);
        });
        refresher.start();
        return refresher;
    }

    private Snapshot firstSnapshot() throws Exception {
        return refresher.firstFullSnapshot().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private void install(String name) throws IOException {
        Files.writeString(layout.confDir().resolve(name + ".conf"), "IOC_NAME=\"" + name
                + "\"\nIOC_USER=\"u\"\nIOC_GROUP=\"g\"\nIOC_CHDIR=\"/tmp\"\nIOC_CMD=\"./st.cmd\"\n");
    }

    /** Waits until the current snapshot satisfies {@code condition}; fails naming what was awaited and what was there. */
    private Snapshot await(String awaited, Predicate<Snapshot> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        Snapshot s = refresher.current();
        while (!condition.test(s)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Within " + WAIT_SECONDS + " s the model never showed " + awaited
                        + "; last snapshot: " + describe(s));
            }
            Thread.sleep(5); // polling the snapshot, not waiting for time to pass
            s = refresher.current();
        }
        return s;
    }

    private static String describe(Snapshot s) {
        StringBuilder b = new StringBuilder("systemdConnected=" + s.systemdConnected() + " refreshErrors="
                + s.refreshErrors() + " iocs={");
        s.iocs().values().forEach(i -> b.append(' ').append(i.name()).append('=').append(i.activeState())
                .append('/').append(i.readiness()).append(i.enabled() ? "/enabled" : ""));
        return b.append(" }").toString();
    }

    private static String state(Snapshot s, String ioc) {
        IocSnapshot i = s.iocs().get(ioc);
        return i == null ? "(absent)" : i.activeState();
    }

    @Test
    void theFirstFullSnapshotHoldsTheInstalledIocsAndTheTemplatesUnitsThatAreNotPlainInactive() throws Exception {
        install("a");
        install("idle");
        manager.running("a").held("orphan", "failed", "failed").held("removed", "inactive", "dead");

        start(Duration.ofHours(1));
        Snapshot s = firstSnapshot();

        assertEquals(Set.of("a", "idle", "orphan"), s.iocs().keySet(),
                "installed IOCs plus units that are not plain inactive: " + describe(s));
        assertTrue(s.systemdConnected());
        assertEquals(0, s.refreshErrors(), describe(s));
        assertEquals("active", state(s, "a"));
        assertTrue(s.iocs().get("a").enabled());
        assertEquals("inactive", state(s, "idle"), "an installed IOC systemd never loaded reads as not-found, inactive");
        assertEquals(Readiness.STOPPED, s.iocs().get("idle").readiness());
        assertEquals("failed", state(s, "orphan"));
        assertFalse(s.iocs().get("orphan").installed());
        assertEquals(1, connects.get(), "one connection to systemd");
    }

    @Test
    void aSignalReachesTheSnapshotWithoutAPoll() throws Exception {
        install("a");
        manager.running("a");
        start(Duration.ofHours(1));
        firstSnapshot();

        manager.held("a", "inactive", "dead").signal("a");

        Snapshot s = await("IOC a inactive after its unit's signal", x -> state(x, "a").equals("inactive"));
        assertEquals(Readiness.STOPPED, s.iocs().get("a").readiness());
    }

    @Test
    void aNewConfReachesTheSnapshotWithoutAPoll() throws Exception {
        start(Duration.ofHours(1));
        assertTrue(firstSnapshot().iocs().isEmpty());

        install("b");
        manager.running("b");

        await("IOC b, installed after start, active", x -> state(x, "b").equals("active"));
    }

    @Test
    void aRemovedConfOfAnInactiveUnitLeavesTheModel() throws Exception {
        install("a");
        manager.held("a", "inactive", "dead");
        start(Duration.ofHours(1));
        assertEquals(Set.of("a"), firstSnapshot().iocs().keySet());

        Files.delete(layout.confDir().resolve("a.conf"));

        await("IOC a gone after its conf was removed", x -> !x.iocs().containsKey("a"));
    }

    @Test
    void whileSystemdIsUnreachableEveryStateIsUnknownAndEveryPollIsARefreshError() throws Exception {
        install("a");
        manager.running("a").unreachable("connection refused");

        start(Duration.ofHours(1));
        Snapshot s = firstSnapshot();

        assertFalse(s.systemdConnected(), describe(s));
        assertEquals(Set.of("a"), s.iocs().keySet(), "installed IOCs are still listed");
        assertEquals("unknown", state(s, "a"));
        assertEquals(Readiness.UNKNOWN, s.iocs().get("a").readiness());
        assertTrue(s.refreshErrors() >= 1, "a poll without systemd is a refresh error: " + describe(s));
        assertEquals(-1, s.activeCount(), "the active count is unknown, not 0");

        long errors = refresher.current().refreshErrors();
        refresher.refreshNow();
        assertTrue(refresher.current().refreshErrors() > errors,
                "each poll without systemd counts, and the count is published: " + describe(refresher.current()));
    }

    @Test
    void whenSystemdAnswersAgainTheModelFollowsWithinSeconds() throws Exception {
        install("a");
        manager.running("a").unreachable("connection refused");
        start(Duration.ofHours(1)); // no poll for an hour: only the reconnect loop can bring systemd back
        assertFalse(firstSnapshot().systemdConnected());

        manager.unreachable(null);

        await("systemd connected and IOC a active again", x -> x.systemdConnected() && state(x, "a").equals("active"));
        assertTrue(manager.count("ping") >= 1, "the reconnect loop asks systemd with a ping");
    }

    @Test
    void aSystemdOutageDuringAnEventIsReadAgainInFullWhenItAnswers() throws Exception {
        install("a");
        install("b");
        manager.running("a").running("b");
        start(Duration.ofHours(1));
        firstSnapshot();

        manager.unreachable("bus lost");
        manager.signal("a");
        await("systemd disconnected after a failed read", x -> !x.systemdConnected());

        manager.held("b", "failed", "failed"); // changed while nobody could ask: no signal for it
        manager.unreachable(null);

        await("IOC b's failure, read in full once systemd answers", x -> state(x, "b").equals("failed"));
    }

    @Test
    void everyUnitIsReadAgainOnceAMinuteSoAChangeWithoutASignalIsPickedUp() throws Exception {
        for (int i = 0; i < 24; i++) {
            String name = String.format("r%02d", i);
            install(name);
            manager.running(name);
        }
        // 5 s polls: twelve polls make the 60 s round of re-reads.
        start(Duration.ofSeconds(5));
        firstSnapshot();
        IocName quiet = new IocName("r07");
        UnitState held = manager.held(manager.unit(quiet.value()));
        // Enabling sends no PropertiesChanged and does not show in the unit listing.
        manager.put(FakeManager.state(held.unit(), "active", "running", held.mainPid(), "disabled"));

        for (int poll = 0; poll < 12 && refresher.current().iocs().get("r07").enabled(); poll++) {
            refresher.refreshNow();
        }
        assertFalse(refresher.current().iocs().get("r07").enabled(),
                "IOC r07: a unit file change made without a signal was not picked up within one 60 s round of"
                        + " polls; the model must re-read every unit once a minute");
    }

    @Test
    void aQuietUnitIsNotReadOnEveryPoll() throws Exception {
        for (int i = 0; i < 24; i++) {
            String name = String.format("r%02d", i);
            install(name);
            manager.running(name);
        }
        start(Duration.ofSeconds(5));
        firstSnapshot();
        int before = manager.statesAsked().size();
        refresher.refreshNow();
        List<Set<io.iocagent.systemd.UnitName>> asked = manager.statesAsked();
        int read = asked.subList(before, asked.size()).stream().mapToInt(Set::size).sum();
        assertTrue(read >= 2 && read < 24, "a quiet poll reads a slice of the 24 units (2 per 5 s poll), read " + read);
    }

    @Test
    void startTwiceAndRefreshAfterCloseAreHandled() throws Exception {
        start(Duration.ofHours(1));
        firstSnapshot();
        IllegalStateException again = assertThrows(IllegalStateException.class, refresher::start);
        assertEquals("This refresher is already running.", again.getMessage());

        refresher.close();
        refresher.close();
        assertEquals(1, closes.get(), "the systemd connection is closed once");
        long t0 = System.nanoTime();
        refresher.refreshNow();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "refreshNow after close returns at once");
        IllegalStateException closed = assertThrows(IllegalStateException.class, refresher::start);
        assertEquals("This refresher is closed.", closed.getMessage());
    }

    @Test
    void aNonPositivePollIntervalIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Refresher(layout, Duration.ZERO, Clock.systemUTC(), () -> new FakeFeed(manager, closes)));
        assertEquals("pollInterval must be positive, got PT0S", e.getMessage());
    }

    // ---- the log, the probe, listeners and refreshNow reach the snapshot without a poll ----

    /** A child PID no process of this host has: its parent reads as gone. */
    private static final int CHILD = 3_999_999;

    private void log(String name, String text) throws IOException {
        Files.writeString(layout.logFile(new IocName(name)), text, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void aLogLineReachesTheSnapshotWithoutAPollAndTheProbesFindingAtOnce() throws Exception {
        install("a");
        manager.running("a");
        start(Duration.ofHours(1));
        assertEquals(Readiness.STARTING, firstSnapshot().iocs().get("a").readiness());
        List<Snapshot> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        refresher.addListener((before, now) -> published.add(now));

        log("a", "@@@ The PID of new child \"./st.cmd\" is: " + CHILD + "\niocRun: All initialization complete\n");

        Snapshot ready = await("IOC a READY after its log's marker", x -> x.iocs().get("a").readiness() == Readiness.READY);
        assertEquals(CHILD, ready.iocs().get("a").childPid());
        assertTrue(!published.isEmpty(), "listeners see the snapshots published");

        refresher.probed(java.util.Map.of(new IocName("a"),
                new Responsiveness(Responsiveness.State.UNRESPONSIVE, CHILD, 2.0)));
        await("IOC a HUNG once the probe found it unresponsive", x -> x.iocs().get("a").readiness() == Readiness.HUNG);
        refresher.probed(java.util.Map.of(new IocName("a"),
                new Responsiveness(Responsiveness.State.RESPONSIVE, CHILD, 0.01)));
        await("IOC a READY again once it answers", x -> x.iocs().get("a").readiness() == Readiness.READY);
    }

    @Test
    void refreshNowPicksUpAChangeNoSignalAnnounced() throws Exception {
        install("a");
        manager.running("a");
        start(Duration.ofHours(1));
        firstSnapshot();
        manager.held("a", "failed", "failed"); // no signal
        refresher.refreshNow();
        await("IOC a failed after refreshNow", x -> state(x, "a").equals("failed"));
    }

    @Test
    void closingClosesTheConnectionAndTheSubscription() throws Exception {
        install("a");
        manager.running("a");
        start(Duration.ofHours(1));
        firstSnapshot();
        refresher.close();
        assertEquals(1, closes.get(), "the connection to systemd is closed");
        assertEquals(0, manager.subscribers(), "the signal subscription is closed");
        refresher.close();
        assertEquals(1, closes.get(), "closing twice closes once");
    }

    /** Waits until no live thread has {@code name}; fails naming it. */
    private static void awaitNoThread(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().equals(name))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Within " + WAIT_SECONDS + " s of close, thread " + name + " did not end");
            }
            Thread.sleep(5); // polling for the thread to end
        }
    }

    @Test
    void closingEndsTheModelsThreadsAndTheDirectoryWatch() throws Exception {
        install("a");
        manager.running("a");
        start(Duration.ofHours(1));
        firstSnapshot();
        refresher.close();
        awaitNoThread("ioc-model-events");
        awaitNoThread("ioc-model-poll");
        awaitNoThread("ioc-model-watch");
    }

    @Test
    void aConfDirectoryThatVanishedIsReadInFullAtOnce() throws Exception {
        manager.held("orphan", "failed", "failed");
        start(Duration.ofHours(1)); // no poll for an hour: only the directory's event can bring one
        assertEquals("failed", state(firstSnapshot(), "orphan"));
        manager.held("orphan", "inactive", "dead"); // reset without a signal

        Files.delete(layout.confDir());

        await("the orphan gone after a poll the vanished conf directory asked for", x -> !x.iocs().containsKey("orphan"));
    }

    @Test
    void overABusThatCannotBeReachedTheModelRunsDisconnected() throws Exception {
        NullPointerException none = assertThrows(NullPointerException.class,
                () -> new Refresher(layout, null, Duration.ofSeconds(5), Clock.systemUTC()));
        assertEquals("connector", none.getMessage());
        install("a");
        refresher = new Refresher(layout, () -> {
            throw FakeManager.unreachableFailure("no bus here");
        }, Duration.ofHours(1), Clock.systemUTC());
        refresher.start();
        Snapshot s = firstSnapshot();
        assertFalse(s.systemdConnected(), describe(s));
        assertEquals(Set.of("a"), s.iocs().keySet());
        assertEquals("unknown", state(s, "a"));
    }

    @Test
    void aPollThatCannotListTheUnitsDisconnectsTheModel() throws Exception {
        install("a");
        manager.running("a");
        start(Duration.ofHours(1));
        assertTrue(firstSnapshot().systemdConnected());

        manager.unreachable("bus lost");
        refresher.refreshNow();

        Snapshot s = refresher.current();
        assertFalse(s.systemdConnected(), "a poll whose listing failed leaves the model disconnected: " + describe(s));
        assertEquals("unknown", state(s, "a"), describe(s));
    }

    @Test
    void directoriesMissingWithTheirParentAtStartAreWatchedFromThePollAfterTheyAppear() throws Exception {
        Path missing = root.resolve("later");
        layout = new Layout(Mode.LOCAL, missing.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                missing.resolve("log"), PREFIX, new Identity("u", "g"));
        start(Duration.ofHours(1)); // nothing to watch yet, not even a parent
        assertTrue(firstSnapshot().iocs().isEmpty());
        Files.createDirectories(layout.confDir());
        Files.createDirectories(layout.logDir());
        refresher.refreshNow(); // the poll arms the watch of the directories that now exist

        install("b");
        manager.running("b");

        await("IOC b, installed after the poll found its directory, active without another poll",
                x -> state(x, "b").equals("active"));
    }
}
