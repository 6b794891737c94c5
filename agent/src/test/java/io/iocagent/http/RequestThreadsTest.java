package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How many request threads a listener makes: one per busy request, never more than its maximum. */
class RequestThreadsTest {

    @Test
    void requestsOneAfterAnotherShareOneThread() throws Exception {
        RequestThreads pool = new RequestThreads("t-", 64);
        try {
            for (int i = 0; i < 200; i++) {
                FutureTask<Void> task = new FutureTask<>(() -> null);
                pool.execute(task);
                task.get(30, TimeUnit.SECONDS);
                // the client's next request comes after the reply, by when the thread is free again
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (pool.busy() > 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
            assertEquals(1, pool.getLargestPoolSize(),
                    "200 requests one after another (one keep-alive client) made more than one thread");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void busyRequestsGetAThreadEachUpToTheMaximumAndTheRestWait() throws Exception {
        RequestThreads pool = new RequestThreads("t-", 4);
        CountDownLatch started = new CountDownLatch(4);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<?>> tasks = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) { // a flood of slow clients
                FutureTask<Void> task = new FutureTask<>(() -> {
                    started.countDown();
                    release.await();
                    return null;
                });
                pool.execute(task); // never rejected
                tasks.add(task);
            }
            assertTrue(started.await(30, TimeUnit.SECONDS), "4 busy requests did not get 4 threads");
            assertEquals(4, pool.getPoolSize(), "threads while 1000 requests wait");
            assertEquals(996, pool.getQueue().size(), "requests waiting for a thread");
            release.countDown();
            for (Future<?> t : tasks) {
                t.get(30, TimeUnit.SECONDS);
            }
            assertEquals(4, pool.getLargestPoolSize(), "more threads than the maximum");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aRequestArrivingWhileOthersAreBusyGetsAThreadOfItsOwn() throws Exception {
        RequestThreads pool = new RequestThreads("t-", 8);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        try {
            pool.execute(() -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(busy.await(30, TimeUnit.SECONDS));
            FutureTask<String> second = new FutureTask<>(() -> Thread.currentThread().getName());
            pool.execute(second);
            assertEquals("t-2", second.get(30, TimeUnit.SECONDS),
                    "a quick request waited behind a slow one instead of getting a thread");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
