package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hand-off of changes from other threads to the refresher's thread. */
class ChangeQueueTest {

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aBurstOfChangesArrivesAsOneBatch() throws InterruptedException {
        List<Set<String>> batches = new CopyOnWriteArrayList<>();
        CountDownLatch drained = new CountDownLatch(1);
        ChangeQueue<String> queue = new ChangeQueue<>(executor, 50, (changed, everything) -> {
            batches.add(changed);
            drained.countDown();
        });

        queue.add("a");
        queue.add("b");
        queue.add("a");

        assertTrue(drained.await(5, TimeUnit.SECONDS));
        Thread.sleep(100);
        assertEquals(List.of(Set.of("a", "b")), batches);
    }

    @Test
    void aChangeAfterADrainStartsANewBatch() throws InterruptedException {
        List<Set<String>> batches = new CopyOnWriteArrayList<>();
        CountDownLatch two = new CountDownLatch(2);
        ChangeQueue<String> queue = new ChangeQueue<>(executor, 1, (changed, everything) -> {
            batches.add(changed);
            two.countDown();
        });

        queue.add("a");
        Thread.sleep(100);
        queue.add("b");

        assertTrue(two.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(Set.of("a"), Set.of("b")), batches);
    }

    @Test
    void everythingIsReportedAsSuch() throws InterruptedException {
        CountDownLatch drained = new CountDownLatch(1);
        boolean[] all = new boolean[1];
        ChangeQueue<String> queue = new ChangeQueue<>(executor, 1, (changed, everything) -> {
            all[0] = everything && changed.isEmpty();
            drained.countDown();
        });

        queue.addEverything();

        assertTrue(drained.await(5, TimeUnit.SECONDS));
        assertTrue(all[0]);
    }

    @Test
    void changesAfterShutdownAreDropped() {
        ChangeQueue<String> queue = new ChangeQueue<>(executor, 1, (changed, everything) -> { });
        executor.shutdownNow();

        queue.add("late"); // must not throw
    }
}
