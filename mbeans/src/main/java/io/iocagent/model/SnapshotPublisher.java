package io.iocagent.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link Snapshot} and hands each changed one to the listeners: a snapshot that
 * differs from the current one (apart from {@code takenAt} and {@code refreshDuration}) replaces
 * it and the listeners get (old, new); a poll that changed nothing only replaces it, so
 * {@code takenAt} tells readers how fresh it is. Also counts the refreshes that failed.
 *
 * <p>{@link #publish} and the counters are called on the model thread only; {@link #current()}
 * and {@link #addListener} from any thread.
 */
final class SnapshotPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final List<BiConsumer<Snapshot, Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot current;
    private long refreshErrors;
    private Duration refreshDuration = Duration.ZERO;
    private String lastProblem = "";

    SnapshotPublisher(Snapshot first) {
        this.current = first;
    }

    Snapshot current() {
        return current;
    }

    void addListener(BiConsumer<Snapshot, Snapshot> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** A full refresh ended after {@code took}; {@code problems} (empty when none) count as one refresh error. */
    void refreshEnded(List<String> problems, Duration took) {
        refreshDuration = took;
        if (problems.isEmpty()) {
            lastProblem = "";
            return;
        }
        refreshErrors++;
        String problem = String.join("; ", problems);
        if (!problem.equals(lastProblem)) {
            LOG.warn("IOC model refresh incomplete: {}", problem);
        }
        lastProblem = problem;
    }

    /** A refresh failed outright. */
    void refreshFailed() {
        refreshErrors++;
    }

    /**
     * @param poll replace the current snapshot even when nothing changed (a poll's fresh {@code takenAt})
     * @return the published snapshot, or the current one when nothing changed and {@code poll} is false
     */
    Snapshot publish(SortedMap<String, IocSnapshot> iocs, boolean systemdConnected, Instant now, boolean poll) {
        Snapshot old = current;
        boolean changed = old.systemdConnected() != systemdConnected
                || old.refreshErrors() != refreshErrors
                || !old.iocs().equals(iocs);
        if (!changed && !poll) {
            return old;
        }
        Snapshot next = new Snapshot(now, old.mode(), old.confDirectory(), systemdConnected,
                changed ? iocs : old.iocs(), refreshDuration, refreshErrors);
        current = next;
        if (changed) {
            for (BiConsumer<Snapshot, Snapshot> listener : listeners) {
                try {
                    listener.accept(old, next);
                } catch (RuntimeException e) {
                    LOG.warn("A snapshot listener failed", e);
                }
            }
        }
        return next;
    }
}
