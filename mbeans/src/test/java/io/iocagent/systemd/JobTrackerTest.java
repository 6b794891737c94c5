package io.iocagent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

class JobTrackerTest {

    private static final String JOB = "/org/freedesktop/systemd1/job/42";

    private final JobTracker jobs = new JobTracker();

    @Test
    void aSignalThatArrivesBeforeTheReplyIsKeptForTheClaim() throws Exception {
        jobs.expectReply();
        jobs.onJobRemoved(JOB, "done");

        CompletableFuture<String> result = jobs.claim(JOB);

        assertEquals("done", result.getNow(null));
        assertEquals(0, jobs.earlyCount());
    }

    @Test
    void aSignalAfterTheClaimCompletesTheWaiter() {
        jobs.expectReply();
        CompletableFuture<String> result = jobs.claim(JOB);
        assertFalse(result.isDone());

        jobs.onJobRemoved("/org/freedesktop/systemd1/job/7", "done");
        jobs.onJobRemoved(JOB, "failed");

        assertEquals("failed", result.getNow(null));
        assertEquals(0, jobs.waitingCount());
    }

    @Test
    void unrelatedSignalsAreNotBufferedWhileNoReplyIsOutstanding() {
        jobs.onJobRemoved(JOB, "done");
        assertEquals(0, jobs.earlyCount());

        jobs.expectReply();
        jobs.onJobRemoved(JOB, "done");
        assertEquals(1, jobs.earlyCount());
        jobs.replyFailed();
        assertEquals(0, jobs.earlyCount(), "buffer dropped once no reply is outstanding");
    }

    @Test
    void theEarlyBufferIsBounded() {
        jobs.expectReply();
        for (int i = 0; i < JobTracker.MAX_EARLY + 10; i++) {
            jobs.onJobRemoved("/org/freedesktop/systemd1/job/" + i, "done");
        }
        assertEquals(JobTracker.MAX_EARLY, jobs.earlyCount());
    }

    @Test
    void losingTheConnectionFailsCurrentAndLaterWaiters() {
        jobs.expectReply();
        CompletableFuture<String> waiting = jobs.claim(JOB);
        CallFailure lost = new CallFailure(CallFailure.Kind.CONNECTION_LOST, "gone");

        jobs.failAll(lost);
        jobs.expectReply();
        CompletableFuture<String> later = jobs.claim("/org/freedesktop/systemd1/job/43");

        assertSame(lost, assertThrows(ExecutionException.class, waiting::get).getCause());
        assertSame(lost, assertThrows(ExecutionException.class, later::get).getCause());
    }

    @Test
    void forgottenJobsAreNoLongerWaitedFor() {
        jobs.expectReply();
        jobs.claim(JOB);
        jobs.forget(JOB);
        assertEquals(0, jobs.waitingCount());
    }
}
