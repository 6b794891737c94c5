package io.iocagent.testbed;

import static org.junit.jupiter.api.Assertions.fail;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Refresher;
import io.iocagent.model.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Every snapshot a {@link Refresher} published, in order, with when it arrived: a fault test
 * asserts both on what the model ends up saying and on what it said on the way (a listener's view).
 */
public final class ModelRecorder {

    /** One published snapshot and {@link System#nanoTime()} at its arrival. */
    public record Seen(long nanos, Snapshot snapshot) {
    }

    private final List<Seen> seen = new ArrayList<>();

    public static ModelRecorder of(Refresher refresher) {
        ModelRecorder r = new ModelRecorder();
        refresher.addListener((old, next) -> r.add(next));
        return r;
    }

    private synchronized void add(Snapshot next) {
        seen.add(new Seen(System.nanoTime(), next));
        notifyAll();
    }

    /** Everything published so far. */
    public synchronized List<Seen> all() {
        return List.copyOf(seen);
    }

    /** Where the next published snapshot will be: pass it to {@link #await} to look only at later ones. */
    public synchronized int mark() {
        return seen.size();
    }

    /**
     * Waits for a snapshot, published at or after {@code mark}, that satisfies {@code condition};
     * returns when it arrived ({@link System#nanoTime()}).
     */
    public synchronized long await(String what, int mark, Duration timeout, Predicate<Snapshot> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int from = mark;
        while (true) {
            for (; from < seen.size(); from++) {
                if (condition.test(seen.get(from).snapshot())) {
                    return seen.get(from).nanos();
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                Snapshot last = seen.isEmpty() ? null : seen.get(seen.size() - 1).snapshot();
                fail("Timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last snapshot: " + last);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** A condition on IOC {@code name}, false while the snapshot does not hold it. */
    public static Predicate<Snapshot> ioc(String name, Predicate<IocSnapshot> condition) {
        return s -> s.iocs().containsKey(name) && condition.test(s.iocs().get(name));
    }
}
