package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hand-off of changes from other threads to the refresher's thread. */
class ChangeQueueTest {

    private static final long WAIT_SECONDS = 30; // a loaded machine; the waits end as soon as the batch is there

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final BlockingQueue<String> batches = new LinkedBlockingQueue<>();
    private final ChangeQueue.Drain<String> recorder =
            (changed, everything) -> batches.add(new TreeSet<>(changed) + (everything ? " everything" : ""));

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** The next batch the drain received; fails saying what was awaited. */
    private String nextBatch(String awaited) throws InterruptedException {
        String batch = batches.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (batch == null) {
            throw new AssertionError("no batch within " + WAIT_SECONDS + " s; awaited " + awaited);
        }
        return batch;
    }

    /** Holds the refresher's thread until the returned latch is counted down, as a long refresh does. */
    private CountDownLatch busyRefresherThread() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        executor.execute(() -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(running.await(WAIT_SECONDS, TimeUnit.SECONDS), "the refresher's thread did not start");
        return release;
    }

    @Test
    void aBurstOfChangesArrivesAsOneBatch() throws InterruptedException {
        ChangeQueue<String> queue = new ChangeQueue<>(executor, 1, recorder);
        CountDownLatch release = busyRefresherThread();

        queue.add("a");
        queue.add("b");
        queue.add("a");
        release.countDown();

        assertEquals("[a, b]", nextBatch("the burst a, b, a"), "one batch, each item once");
        queue.add("c");
        assertEquals("[c]", nextBatch("the change after the burst"),
                "nothing but the burst's one batch came before the next change");
    }

    @Test
    void aChangeAfterADrainStartsANewBatch() throws InterruptedException {
        ChangeQueue<String> queue = new ChangeQueue<>(executor, 1, recorder);

        queue.add("a");
        assertEquals("[a]", nextBatch("the first change"));
        queue.add("b");
        assertEquals("[b]", nextBatch("the change after the first drain"), "a drained item is not handed over again");
    }

    @Test
    void everythingIsReportedAsSuchWithTheItemsOfTheSameBatch() throws InterruptedException {
        ChangeQueue<String> queue = new ChangeQueue<>(executor, 1, recorder);
        CountDownLatch release = busyRefresherThread();

        queue.addEverything();
        queue.add("x");
        release.countDown();

        assertEquals("[x] everything", nextBatch("a batch marked 'everything'"));
        queue.add("y");
        assertEquals("[y]", nextBatch("the next batch"), "'everything' is reported once, then cleared");
    }

    @Test
    void changesAfterShutdownAreDropped() throws InterruptedException {
        AtomicInteger drained = new AtomicInteger();
        ChangeQueue<String> queue = new ChangeQueue<>(executor, 1, (changed, everything) -> drained.incrementAndGet());
        executor.shutdown();

        assertDoesNotThrow(() -> queue.add("late"), "a change reported while the model closes must not fail its reporter");
        assertDoesNotThrow(queue::addEverything);
        assertTrue(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, drained.get(), "nothing is drained after shutdown");
    }

    @Test
    void aBatchIsDrainedOnlyAfterTheDelay() throws InterruptedException {
        long delayMillis = 200;
        ChangeQueue<String> queue = new ChangeQueue<>(executor, delayMillis, recorder);
        long t0 = System.nanoTime();
        queue.add("a");
        assertEquals("[a]", nextBatch("the delayed batch"));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(waited >= delayMillis, "drained after " + waited + " ms, before the " + delayMillis + " ms delay");
    }

    @Test
    void everythingAloneIsABatchOfItsOwn() throws InterruptedException {
        ChangeQueue<String> queue = new ChangeQueue<>(executor, 1, recorder);
        queue.addEverything();
        assertEquals("[] everything", nextBatch("a batch for 'everything' without any item"));
    }
}
