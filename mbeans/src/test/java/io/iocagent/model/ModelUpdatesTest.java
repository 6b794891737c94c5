package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.systemd.FakeManager;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model thread's work, called directly on a fleet read from temporary directories and a
 * manager answered by a table: each kind of event reads what it must and publishes once, systemd
 * coming back asks for a poll, and a probe finding publishes only when whether an IOC answers changed.
 */
class ModelUpdatesTest {

    private static final IocName A = new IocName("a");
    /** A child PID no process of this host has. */
    private static final int CHILD = 3_999_999;

    @TempDir
    Path root;

    private Layout layout;
    private final FakeManager manager = new FakeManager("epics-@");
    private final ModelThreads threads = new ModelThreads();
    private final AtomicInteger pollsAsked = new AtomicInteger();
    private final List<Snapshot> published = new CopyOnWriteArrayList<>();
    private UnitSource units;
    private ModelUpdates updates;

    @BeforeEach
    void setUp() throws IOException {
        layout = new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", new Identity("u", "g"));
        Files.createDirectories(layout.confDir());
        Files.createDirectories(layout.logDir());
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\nIOC_CMD=\"./st.cmd\"\n");
        units = new UnitSource("epics-@", () -> new FakeFeed(manager, new AtomicInteger()), n -> { });
        updates = new ModelUpdates(Clock.systemUTC(), new Fleet(layout, new ReconcileSchedule(Duration.ofSeconds(5))),
                new ConfDirectory(layout), units, new HostSurvey(), threads, pollsAsked::incrementAndGet,
                Snapshot.empty("local", layout.confDir().toString()));
        updates.addListener((before, now) -> published.add(now));
    }

    @AfterEach
    void tearDown() {
        threads.close();
        units.close();
    }

    /** Lets the console and usage reading handed to the poll thread, and its folding-in, finish. */
    private void settle() {
        threads.onPollAndWait(() -> { });
        threads.onModel(() -> null);
    }

    /** Runs {@code work} on the model thread, as the model does (the fleet has one writer). */
    private void onModel(Runnable work) {
        threads.onModel(() -> {
            work.run();
            return null;
        });
    }

    private IocSnapshot a() {
        return updates.current().iocs().get("a");
    }

    @Test
    void aNewConfIsReadWithItsUnitAndSystemdAnsweringAsksForAPoll() {
        manager.running("a");
        onModel(() -> updates.confsChanged(Set.of(A), false));
        assertEquals("active", a().activeState());
        assertTrue(a().installed());
        assertEquals(1, pollsAsked.get(), "the first answer of systemd asks for a full poll");
        settle();
        assertTrue(published.size() >= 1, "published");

        onModel(() -> updates.confsChanged(Set.of(A), true));
        assertEquals(2, pollsAsked.get(), "a lost track of the directory asks for a poll, nothing else");
    }

    @Test
    void aSignalledUnitIsReadAndPublishedOnce() {
        manager.running("a");
        onModel(() -> updates.confsChanged(Set.of(A), false));
        settle();
        int before = published.size();
        manager.held("a", "inactive", "dead");
        onModel(() -> updates.unitsChanged(Set.of(A), false));
        assertEquals("inactive", a().activeState());
        assertEquals(Readiness.STOPPED, a().readiness());
        settle();
        assertTrue(published.size() > before, "the change was published");
    }

    @Test
    void systemdFailingDuringAnEventLeavesTheModelDisconnected() {
        manager.running("a");
        onModel(() -> updates.confsChanged(Set.of(A), false));
        manager.unreachable("gone");
        onModel(() -> updates.unitsChanged(Set.of(A), false));
        assertFalse(updates.current().systemdConnected());
        assertEquals(Readiness.UNKNOWN, a().readiness());
    }

    @Test
    void aLogLineOfAChildIsFollowedByItsUnitsStateAndTheProbeFindingPublishesOnlyOnAChange() throws Exception {
        manager.running("a");
        onModel(() -> updates.confsChanged(Set.of(A), false));
        Files.writeString(layout.logFile(A), "@@@ The PID of new child \"./st.cmd\" is: " + CHILD
                + "\niocRun: All initialization complete\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        int statesBefore = manager.count("states");

        onModel(() -> updates.logsChanged(Set.of(A), false));

        assertEquals(Readiness.READY, a().readiness());
        assertEquals(CHILD, a().childPid());
        assertEquals(statesBefore + 1, manager.count("states"), "a child that started: its unit's state is read again");

        settle();
        int before = published.size();
        onModel(() -> updates.probed(Map.of(A, new Responsiveness(Responsiveness.State.UNRESPONSIVE, CHILD, 2.0))));
        assertEquals(Readiness.HUNG, a().readiness());
        assertEquals(before + 1, published.size(), "a change in whether it answers is published at once");
        onModel(() -> updates.probed(Map.of(A, new Responsiveness(Responsiveness.State.UNRESPONSIVE, CHILD, 3.0))));
        assertEquals(before + 1, published.size(), "a new round-trip time alone is not published");

        onModel(() -> updates.logsChanged(Set.of(), true));
        assertEquals(Readiness.HUNG, a().readiness(), "every log read on: nothing new");
    }

    /** What a full poll reads (every conf and unit, no console, usage or endpoint), with {@code problems}. */
    private Readings pollReadings(List<String> problems) throws IOException {
        Map<IocName, InstalledConf> installed = new ConfDirectory(layout).scan();
        Fleet.PollPlan plan = updates.plan(installed, units.list(), true);
        return new Readings(plan.names(), true, installed, units.states(plan.statesToRead(), UnitSource.Lane.POLL),
                System.nanoTime(), Map.of(), Map.of(), Set.of(), problems, Map.of());
    }

    @Test
    void aPollsReadingsArePublishedAndCompleteTheFirstFullSnapshot() throws Exception {
        manager.running("a");
        Readings readings = pollReadings(List.of("a problem"));
        assertFalse(updates.firstFullSnapshot().isDone());

        onModel(() -> updates.polled(readings, System.nanoTime()));

        Snapshot first = updates.firstFullSnapshot().get(30, TimeUnit.SECONDS);
        assertSame(updates.current(), first);
        assertEquals("active", first.iocs().get("a").activeState());
        assertEquals(1, first.refreshErrors(), "the poll's problem is a refresh error");
        onModel(() -> updates.pollFailed());
        onModel(() -> updates.unitsChanged(Set.of(A), false));
        assertEquals(2, updates.current().refreshErrors(), "a failed poll is one more");
    }

    private void appendLog(String text) throws IOException {
        Files.writeString(layout.logFile(A), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Listens on a's console socket, as procServ does. */
    private ServerSocketChannel console() throws IOException {
        Path socket = layout.socketPath(A);
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        return listener;
    }

    @Test
    void theConsoleOfAUnitThatCameUpOrWentDownIsReadAfterTheEventAndPublished() throws Exception {
        manager.running("a");
        try (ServerSocketChannel listener = console()) {
            onModel(() -> updates.confsChanged(Set.of(A), false));
            settle();
            assertEquals("LISTEN", a().socketState(), "IOC a: the console of a unit found active by a conf change is read");
        }
        Files.delete(layout.socketPath(A));
        manager.held("a", "inactive", "dead");
        onModel(() -> updates.unitsChanged(Set.of(A), false));
        settle();
        assertEquals("ABSENT", a().socketState(), "IOC a: the console of a unit signalled stopped is read again");
    }

    @Test
    void theConsoleOfAChildThatStartedIsReadAfterItsLogLineAndEveryLogIsReadWhenTheWatchLostTrack() throws Exception {
        manager.running("a");
        onModel(() -> updates.confsChanged(Set.of(A), false));
        settle();
        assertEquals("ABSENT", a().socketState());
        try (ServerSocketChannel listener = console()) {
            appendLog("@@@ The PID of new child \"./st.cmd\" is: " + CHILD + "\n");
            onModel(() -> updates.logsChanged(Set.of(A), false));
            settle();
            assertEquals(CHILD, a().childPid());
            assertEquals("LISTEN", a().socketState(), "IOC a: the console is read again once the log shows a new child");

            appendLog("@@@ The PID of new child \"./st.cmd\" is: " + (CHILD + 1) + "\n");
            onModel(() -> updates.logsChanged(Set.of(), true));
            assertEquals(CHILD + 1, a().childPid(), "IOC a: 'everything changed' reads every log on, named or not");
        }
    }

    @Test
    void aPollsRefreshDurationIsTheTimeSinceItBeganAndItsDetailsAreReadAfterIt() throws Exception {
        manager.running("a");
        Readings readings = pollReadings(List.of());
        long began = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
        try (ServerSocketChannel listener = console()) {
            onModel(() -> updates.polled(readings, began));
            Duration took = updates.current().refreshDuration();
            assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0 && took.compareTo(Duration.ofMinutes(10)) < 0,
                    "a poll begun 2 s ago took 2 s and a little, not " + took);
            settle();
            assertEquals("LISTEN", a().socketState(), "IOC a: the console of a unit a poll found active is read after it");
        }
    }
}
