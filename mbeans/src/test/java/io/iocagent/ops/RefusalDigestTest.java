package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RefusalDigestTest {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    private static AuditLog.Event refused(String user, String member) {
        return new AuditLog.Event("jmx", user, "viewer", "127.0.0.1", "exec", "", "java.lang:type=Memory", member,
                "[]", AuditLog.Outcome.DENIED, "Access denied! " + member + " changes the JVM.");
    }

    @Test
    void aFloodOfOneRefusalIsOneLineAtOnceAndOneLineWithTheCountPerInterval() throws Exception {
        try (RefusalDigest digest = new RefusalDigest(Duration.ofSeconds(2), lines::add)) {
            for (int i = 0; i < 50; i++) {
                digest.offer(refused("vic", "gc"));
            }
            assertEquals(1, lines.size(), "the first refusal is written at once, the other 49 held: " + lines);
            assertTrue(!lines.get(0).contains("count="), lines.get(0));
            await(() -> lines.size() == 2, "the interval's line");
            assertTrue(lines.get(1).endsWith("member=gc detail=[] outcome=denied message=\"Access denied! gc changes the JVM.\" count=49"),
                    lines.get(1));
            // A quiet interval closes the window: no line for zero, and the next refusal is written at once.
            await(() -> digest.openWindows() == 0, "the window to close after an interval without refusals");
            assertEquals(2, lines.size(), "no line for an interval without refusals: " + lines);
            digest.offer(refused("vic", "gc"));
            assertEquals(3, lines.size(), "after a quiet interval a refusal is written at once: " + lines);
            assertTrue(!lines.get(2).contains("count="), lines.get(2));
        }
    }

    @Test
    void differentCallersAndMembersAreDigestedApart() {
        try (RefusalDigest digest = new RefusalDigest(Duration.ofHours(1), lines::add)) {
            for (int i = 0; i < 3; i++) {
                digest.offer(refused("vic", "gc"));
                digest.offer(refused("vic", "resetPeakThreadCount"));
                digest.offer(refused("val", "gc"));
            }
            assertEquals(3, lines.size(), "one line at once per caller and member: " + lines);
            digest.close();
            // Closing writes what is still counted: 2 more of each.
            assertEquals(6, lines.size(), lines.toString());
            assertEquals(3, lines.stream().filter(l -> l.endsWith(" count=2")).count(), lines.toString());
        }
    }

    @Test
    void pastTheWindowLimitEveryRefusalIsWrittenSoNoneIsLost() {
        try (RefusalDigest digest = new RefusalDigest(Duration.ofHours(1), lines::add)) {
            for (int i = 0; i < RefusalDigest.MAX_WINDOWS + 10; i++) {
                digest.offer(refused("user" + i, "gc"));
            }
            digest.offer(refused("user-extra", "gc"));
            digest.offer(refused("user-extra", "gc"));
            assertEquals(RefusalDigest.MAX_WINDOWS + 12, lines.size(), "a caller beyond the limit gets every line");
        }
    }

    @Test
    void throughTheAuditLogOnlyRefusalsAreDigestedAndClosingTurnsItOff() throws Exception {
        AuditLog audit = new AuditLog();
        try (LogCapture capture = LogCapture.audit()) {
            try (AuditLog.Digest digest = AuditLog.digestRefusals(Duration.ofHours(1))) {
                for (int i = 0; i < 5; i++) {
                    audit.record(refused("vic", "gc"));
                    audit.record(new AuditLog.Event("jmx", "olga", "operator", "127.0.0.1", "exec", "x",
                            "epics.ioc:name=x,type=Ioc", "restart", "[]", AuditLog.Outcome.OK, ""));
                }
                assertEquals(6, capture.lines().size(), "1 refusal + 5 operations that ran: " + capture.lines());
            }
            assertEquals(7, capture.lines().size(), "closing writes the held count: " + capture.lines());
            assertTrue(capture.lines().get(6).endsWith(" count=4"), capture.lines().get(6));
            audit.record(refused("vic", "gc"));
            audit.record(refused("vic", "gc"));
            assertEquals(9, capture.lines().size(), "digest off: every refusal its own line");
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
