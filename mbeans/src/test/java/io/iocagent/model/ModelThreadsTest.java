package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The model's two threads: which work runs where, what a failure does, and what closing drops and interrupts. */
class ModelThreadsTest {

    private static final long WAIT_SECONDS = 30;

    private final ModelThreads threads = new ModelThreads();

    @AfterEach
    void tearDown() {
        threads.close();
    }

    @Test
    void modelWorkRunsOnTheModelThreadAndPollWorkOnThePollThreadBothDaemons() throws Exception {
        assertEquals("ioc-model-events", threads.onModel(() -> Thread.currentThread().getName()));
        assertTrue(threads.onModel(() -> Thread.currentThread().isDaemon()), "the model thread never keeps the JVM alive");
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(2);
        threads.onPollLater(() -> {
            seen.add(Thread.currentThread().getName() + (Thread.currentThread().isDaemon() ? " daemon" : ""));
            done.countDown();
        });
        threads.onModelLater(() -> {
            seen.add(Thread.currentThread().getName());
            done.countDown();
        });
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(seen.containsAll(List.of("ioc-model-poll daemon", "ioc-model-events")), seen.toString());
        assertSame(threads.model(), threads.model());
    }

    @Test
    void aFailureOnTheModelThreadIsRethrownToTheWaiterOrLoggedAndTheThreadGoesOn() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> threads.onModel(() -> {
            throw new IllegalArgumentException("bad reading");
        }));
        assertEquals("bad reading", e.getMessage());
        threads.onModelLater(() -> {
            throw new IllegalStateException("a later failure");
        });
        assertEquals(42, threads.onModel(() -> 42), "the model thread still takes work after a failure");
    }

    @Test
    void pollWorkCanBeAwaitedAndRepeated() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        threads.onPollAndWait(() -> ran.set(true));
        assertTrue(ran.get(), "onPollAndWait returns after the task ran");
        threads.onPollAndWait(() -> {
            throw new IllegalStateException("a failed refresh is logged, not thrown");
        });
        CountDownLatch three = new CountDownLatch(3);
        threads.onPollEvery(Duration.ZERO, Duration.ofMillis(1), three::countDown);
        assertTrue(three.await(WAIT_SECONDS, TimeUnit.SECONDS), "a repeated task runs again and again");
    }

    @Test
    void afterCloseWorkIsDroppedAndWaitingForTheModelFailsClearly() {
        assertFalse(threads.closing());
        threads.close();
        assertTrue(threads.closing());
        AtomicBoolean ran = new AtomicBoolean();
        threads.onPollLater(() -> ran.set(true));
        threads.onModelLater(() -> ran.set(true));
        threads.onPollAndWait(() -> ran.set(true));
        assertFalse(ran.get(), "nothing runs after close");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> threads.onModel(() -> 1));
        assertEquals("The IOC model is closed.", e.getMessage());
    }

    @Test
    void closeInterruptsATaskThatDoesNotEndByItself() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        threads.onPollLater(() -> {
            started.countDown();
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(10));
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertTrue(started.await(WAIT_SECONDS, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        threads.close();
        assertTrue(interrupted.await(WAIT_SECONDS, TimeUnit.SECONDS), "the hanging task was interrupted");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(WAIT_SECONDS), "close returned");
    }

    @Test
    void aWaiterInterruptedWhileTheModelThreadWorksKeepsItsInterrupt() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        threads.onModelLater(() -> {
            busy.countDown();
            try {
                release.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(busy.await(WAIT_SECONDS, TimeUnit.SECONDS));
        Thread.currentThread().interrupt();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> threads.onModel(() -> 1));
            assertEquals("interrupted while waiting for the model thread", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
        } finally {
            Thread.interrupted();
            release.countDown();
        }
    }

    @Test
    void aFailureThatIsNoRuntimeExceptionReachesTheWaiterWrapped() {
        Error cause = new Error("out of something");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> threads.onModel(() -> {
            throw cause;
        }));
        assertSame(cause, e.getCause(), "the model thread's failure is the cause");
        assertEquals(1, threads.onModel(() -> 1), "the model thread goes on");
    }

    @Test
    void debouncedWorkStillPendingIsDroppedByClose() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        // Due well within close's 2 s of patience: only dropping it keeps it from running.
        threads.model().schedule(() -> ran.set(true), 1500, TimeUnit.MILLISECONDS);
        threads.close();
        assertTrue(threads.model().isTerminated(), "the model thread ended");
        assertFalse(ran.get(), "a batch still waiting for its delay is not run while closing");
    }

    /** A task blocked until {@code release}, noting whether it was interrupted. */
    private static Runnable blockedTask(CountDownLatch started, CountDownLatch release, AtomicBoolean interrupted) {
        return () -> {
            started.countDown();
            try {
                if (!release.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("never released");
                }
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        };
    }

    @Test
    void closeLetsRunningTasksOfBothThreadsEndByThemselves() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean pollInterrupted = new AtomicBoolean();
        AtomicBoolean modelInterrupted = new AtomicBoolean();
        threads.onPollLater(blockedTask(started, release, pollInterrupted));
        threads.onModelLater(blockedTask(started, release, modelInterrupted));
        assertTrue(started.await(WAIT_SECONDS, TimeUnit.SECONDS));

        Thread closer = new Thread(threads::close, "closer");
        closer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!(threads.closing() && threads.model().isShutdown()) && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling for close to begin (both executors take no more work), not waiting for time to pass
        }
        assertTrue(threads.closing() && threads.model().isShutdown(), "close shut both threads down at once");
        assertFalse(pollInterrupted.get() || modelInterrupted.get(), "close began without interrupting anything");
        release.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(closer.isAlive(), "close returned");
        assertFalse(pollInterrupted.get(), "the poll thread's task ended by itself");
        assertFalse(modelInterrupted.get(), "the model thread's task ended by itself");
        assertTrue(threads.model().isTerminated());
    }

    @Test
    void aCloserInterruptedWhileWaitingInterruptsTheTasksAndKeepsItsInterrupt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        threads.onPollLater(blockedTask(started, release, interrupted));
        assertTrue(started.await(WAIT_SECONDS, TimeUnit.SECONDS));
        Thread.currentThread().interrupt();
        try {
            threads.close();
            assertTrue(Thread.currentThread().isInterrupted(), "the closer's interrupt is kept");
        } finally {
            Thread.interrupted();
            release.countDown();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!interrupted.get() && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling for the interrupt to arrive
        }
        assertTrue(interrupted.get(), "an interrupted close interrupts the running task rather than waiting for it");
    }

    @Test
    void aRefreshWaiterInterruptedWhileThePollThreadWorksReturnsKeepingItsInterrupt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        threads.onPollLater(blockedTask(started, release, new AtomicBoolean()));
        assertTrue(started.await(WAIT_SECONDS, TimeUnit.SECONDS));
        AtomicReference<Boolean> ran = new AtomicReference<>(false);
        Thread.currentThread().interrupt();
        try {
            threads.onPollAndWait(() -> ran.set(true));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
        } finally {
            Thread.interrupted();
            release.countDown();
        }
        threads.onPollAndWait(() -> { });
        assertTrue(ran.get(), "the refresh still runs, after the waiter left");
    }
}
