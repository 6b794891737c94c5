package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.systemd.FakeManager;
import io.iocagent.systemd.SystemdException;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.testbed.TestBed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The model's view of systemd: connecting, the signal subscription, and what "connected" means. */
class UnitSourceTest {

    private static final String PREFIX = "epics-@";

    private final FakeManager manager = new FakeManager(PREFIX).running("a").held("b", "failed", "failed");
    private final AtomicInteger connects = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    private final List<IocName> signalled = new ArrayList<>();
    private volatile FakeFeed feed;
    private final UnitSource source = new UnitSource(PREFIX, () -> {
        connects.incrementAndGet();
        feed = new FakeFeed(manager, closes);
        return feed;
    }, signalled::add);

    @Test
    void itConnectsOnFirstNeedOnceAndSubscribesToTheTemplatesSignals() {
        assertEquals(0, connects.get(), "nothing is connected before it is needed");
        source.list();
        source.list();
        assertEquals(1, connects.get(), "one connection for every call");
        assertEquals(1, manager.subscribers(), "the template's signals are subscribed once");
        manager.signal("a");
        assertEquals(List.of(new IocName("a")), signalled, "a signalled unit is handed on by IOC name");
    }

    @Test
    void twoThreadsNeedingTheFirstConnectionShareOneAndNeitherClosesIt() throws Exception {
        // The agent's connector hands every caller the same shared client: a second connection
        // attempt whose loser closed "its" feed closed the winner's too, and every poll after that
        // failed with "This SystemdBus is closed" (seen on a loaded CI run).
        CountDownLatch subscribing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        UnitSource shared = new UnitSource(PREFIX, () -> {
            connects.incrementAndGet();
            return new FakeFeed(manager, closes) {
                @Override
                public AutoCloseable subscribe(String templatePrefix, Consumer<UnitName> listener) {
                    subscribing.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return super.subscribe(templatePrefix, listener);
                }
            };
        }, signalled::add);
        AtomicReference<Object> pollSaw = new AtomicReference<>();
        AtomicReference<Object> eventsSaw = new AtomicReference<>();
        Thread poll = new Thread(() -> pollSaw.set(attempt(() -> shared.list().size())));
        Thread events = new Thread(() -> eventsSaw.set(attempt(
                () -> shared.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS).size())));
        poll.start();
        assertTrue(subscribing.await(30, TimeUnit.SECONDS), "the first connection reached its subscription");
        events.start();
        TestBed.await(Duration.ofSeconds(30), "the second caller waiting for the first's connection, or opening its own",
                () -> events.getState() == Thread.State.BLOCKED || connects.get() > 1);
        release.countDown();
        poll.join(30_000);
        events.join(30_000);

        assertEquals(2, pollSaw.get(), "the poll lists both units");
        assertEquals(1, eventsSaw.get(), "the event lane reads its unit's state");
        assertEquals(1, connects.get(), "one connection for both callers");
        assertEquals(0, closes.get(), "nobody closed the connection in use");
        assertEquals(1, manager.subscribers(), "subscribed once");
    }

    private static Object attempt(java.util.function.Supplier<Object> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void statesAreByIocNameAndAnEmptyAskAsksNothing() {
        Map<IocName, UnitState> states = source.states(List.of(new IocName("a"), new IocName("b")), UnitSource.Lane.EVENTS);
        assertEquals(Set.of(new IocName("a"), new IocName("b")), states.keySet());
        assertEquals("failed", states.get(new IocName("b")).activeState());
        assertEquals(List.of(Set.of(manager.unit("a"), manager.unit("b"))), manager.statesAsked());

        assertTrue(source.states(List.of(), UnitSource.Lane.POLL).isEmpty());
        assertEquals(1, manager.statesAsked().size(), "asking for no unit must not call systemd");
    }

    @Test
    void listingIsTheTemplatesUnits() {
        assertEquals(Set.of(manager.unit("a"), manager.unit("b")), source.list().keySet());
    }

    @Test
    void untilSystemdAnswersTheModelIsDisconnectedAndMustReadEveryUnit() {
        assertFalse(source.connected(), "not connected before anything answered");
        assertTrue(source.mustReadAll(), "the first poll reads every unit");
        assertEquals("systemd unreachable (not connected)", source.problem());

        assertFalse(source.answered(true), "a call that read every unit needs no further poll");
        assertTrue(source.connected());
        assertFalse(source.mustReadAll(), "after a full read, polls read a slice");
    }

    @Test
    void aFailureDisconnectsAndTheNextFullReadReconnects() {
        source.answered(true);
        source.failed(FakeManager.unreachableFailure("connection refused"));
        assertFalse(source.connected());
        assertTrue(source.mustReadAll(), "after an outage every unit is read anew");
        assertEquals("systemd unreachable (Cannot reach systemd: connection refused.\n-> Check that the manager runs.)",
                source.problem().replace(System.lineSeparator(), "\n"));

        assertTrue(source.answered(false),
                "systemd is back but this call read only some units: the caller must ask for a poll");
        assertTrue(source.connected());
        assertTrue(source.mustReadAll(), "a partial read does not clear the need to read every unit");
        assertFalse(source.answered(false), "only the first answer after an outage asks for a poll");
        assertFalse(source.answered(true));
        assertFalse(source.mustReadAll());
    }

    @Test
    void aFailedPingIsNotedAndRethrown() {
        source.list();
        source.answered(true);
        manager.unreachable("no manager");
        SystemdException e = assertThrows(SystemdException.class, source::ping);
        assertEquals(SystemdException.Reason.BUS_UNREACHABLE, e.reason());
        assertFalse(source.connected(), "a failed ping disconnects the model");
        assertTrue(source.problem().contains("no manager"), source.problem());

        manager.unreachable(null);
        source.ping();
        assertEquals(List.of("subscribe", "ping", "ping", "listUnits", "ping", "ping"), manager.asked(),
                "connect and subscribe, the listing's ping, its reader, the listing; then the failed ping and the next"
                        + " one, on the same connection");
    }

    @Test
    void aConnectThatFailsIsNotedAndTriedAgainAtTheNextCall() {
        AtomicInteger attempts = new AtomicInteger();
        UnitSource flaky = new UnitSource(PREFIX, () -> {
            if (attempts.incrementAndGet() == 1) {
                throw FakeManager.unreachableFailure("no bus socket");
            }
            return new FakeFeed(manager, closes);
        }, signalled::add);
        flaky.answered(true);
        assertThrows(SystemdException.class, flaky::list);
        assertFalse(flaky.connected(), "a failed connect disconnects the model");
        assertTrue(flaky.mustReadAll());
        assertEquals(2, flaky.list().size(), "the next call connects again");
        assertEquals(2, attempts.get());
    }

    @Test
    void aSubscriptionThatFailsClosesTheNewConnection() {
        AtomicInteger closed = new AtomicInteger();
        UnitSource broken = new UnitSource(PREFIX, () -> new FakeFeed(manager, closed) {
            @Override
            public AutoCloseable subscribe(String templatePrefix, java.util.function.Consumer<UnitName> listener) {
                throw new IllegalStateException("match rule refused");
            }
        }, signalled::add);
        IllegalStateException e = assertThrows(IllegalStateException.class, broken::list);
        assertEquals("match rule refused", e.getMessage());
        assertEquals(1, closed.get(), "the connection whose subscription failed is closed, not leaked");
    }

    @Test
    void closeClosesTheConnectionAndTheSubscription() {
        source.list();
        source.close();
        assertEquals(1, closes.get(), "the connection is closed");
        assertEquals(0, manager.subscribers(), "the signal subscription is closed");
    }

    @Test
    void closingBeforeAnyConnectionClosesNothing() {
        source.close();
        assertEquals(0, closes.get());
        assertEquals(0, connects.get());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> source.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS));
        assertEquals("The IOC model is closed.", e.getMessage());
        assertEquals(0, connects.get(), "a closed source never connects");
    }

    @Test
    void statesAreReadAHundredUnitsAtATime() {
        List<IocName> names = new ArrayList<>();
        for (int i = 0; i < 2 * UnitSource.UNITS_PER_READ + 50; i++) {
            names.add(new IocName("i" + i));
        }
        Map<IocName, UnitState> states = source.states(names, UnitSource.Lane.POLL);
        assertEquals(names.size(), states.size());
        assertEquals(List.of(100, 100, 50), manager.statesAsked().stream().map(Set::size).toList());

        List<IocName> exactly = names.subList(0, UnitSource.UNITS_PER_READ);
        source.states(exactly, UnitSource.Lane.POLL);
        assertEquals(List.of(100, 100, 50, 100), manager.statesAsked().stream().map(Set::size).toList(),
                "exactly one read's worth is one read");
    }

    @Test
    void aReaderWhoseCallFailedIsDroppedAndTheNextCallOpensANewOne() {
        source.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS);
        manager.failing("states", FakeManager.unreachableFailure("reset"));
        assertThrows(SystemdException.class, () -> source.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS));
        manager.failing("states", null);
        source.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS);
        assertEquals(List.of("subscribe", "ping", "states", "states", "ping", "states"), manager.asked(),
                "the reader that failed is not used again: a new one is opened (its ping)");

        manager.failing("listUnits", FakeManager.unreachableFailure("reset"));
        assertThrows(SystemdException.class, source::list);
        manager.failing("listUnits", null);
        source.list();
        assertEquals(List.of("ping", "ping", "listUnits", "ping", "ping", "listUnits"),
                manager.asked().subList(6, manager.asked().size()), "the listing's reader is opened anew too");
    }

    @Test
    void eachLaneHasItsOwnReader() {
        source.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS);
        source.states(List.of(new IocName("a")), UnitSource.Lane.POLL);
        source.states(List.of(new IocName("a")), UnitSource.Lane.POLL);
        assertEquals(List.of("subscribe", "ping", "states", "ping", "states", "states"), manager.asked());
    }

    @Test
    void everyReadKeepsTheSignalFeedAliveAndStatesAreReturnedAsRead() {
        Map<IocName, UnitState> states = source.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS);
        assertEquals("active", states.get(new IocName("a")).activeState(), "the state read is handed back");
        source.states(List.of(new IocName("b")), UnitSource.Lane.EVENTS);
        source.list();
        assertEquals(3, feed.keptFlowing.get(),
                "each read asks the feed to keep its signal connection alive (reads no longer go through it)");
    }

    @Test
    void aReaderWhoseCallFailedIsClosedAndCloseClosesEveryReader() {
        source.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS);
        source.list();
        assertEquals(2, feed.readersOpened.get(), "one reader per lane");
        manager.failing("states", FakeManager.unreachableFailure("reset"));
        assertThrows(SystemdException.class, () -> source.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS));
        assertEquals(1, feed.readersClosed.get(), "the reader whose call failed is closed");
        manager.failing("states", null);
        source.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS);
        assertEquals(3, feed.readersOpened.get());

        source.close();
        assertEquals(3, feed.readersClosed.get(), "closing closes the readers of both lanes");
        source.close();
        assertEquals(3, feed.readersClosed.get(), "and only once");
    }

    @Test
    void aReaderThatCannotBeOpenedDisconnectsTheModel() {
        source.list();
        manager.unreachable("bus lost");
        SystemdException e = assertThrows(SystemdException.class,
                () -> source.states(List.of(new IocName("a")), UnitSource.Lane.EVENTS));
        assertTrue(e.getMessage().contains("bus lost"), e.getMessage());
        assertFalse(source.connected(), "a reader that cannot connect means systemd is unreachable");
        assertTrue(source.mustReadAll(), "every unit is read anew once it answers");
        assertTrue(source.problem().contains("bus lost"), source.problem());
    }
}
