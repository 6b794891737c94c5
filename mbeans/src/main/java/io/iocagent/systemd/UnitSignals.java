package io.iocagent.systemd;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.freedesktop.dbus.exceptions.DBusException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of {@link SystemdBus.UnitChanges} and the {@link SignalFeed} that serves them:
 * the feed is opened with the first listener and kept open by every later call on the bus
 * ({@link #maintain}); when it is found dead, the next call reopens it (after a failed attempt,
 * not again for {@value #SIGNAL_RETRY_SECONDS} s), so listeners survive reconnects without
 * registering again. Signals sent while it was down are lost; callers poll to cover that gap.
 * Thread-safe; listeners are called on dbus-java's signal thread.
 */
final class UnitSignals implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UnitSignals.class);

    /** Seconds between attempts to reopen a signal connection that could not be opened. */
    static final int SIGNAL_RETRY_SECONDS = 5;

    /** One subscription; compared by identity. */
    private static final class Watch {
        final String templatePrefix;
        final Consumer<UnitName> listener;

        Watch(String templatePrefix, Consumer<UnitName> listener) {
            this.templatePrefix = templatePrefix;
            this.listener = listener;
        }
    }

    private final String address;
    private final ConnectionOpener opener;
    /** Read on the signal thread. */
    private final List<Watch> watches = new CopyOnWriteArrayList<>();

    private final Object lock = new Object();
    private SignalFeed feed; // guarded by lock
    private long nextAttempt; // guarded by lock; System.nanoTime() scale
    private int feedsOpened; // guarded by lock

    UnitSignals(String address, ConnectionOpener opener) {
        this.address = address;
        this.opener = opener;
    }

    /**
     * Adds {@code listener} for the units of {@code templatePrefix} and tries to open the feed now.
     *
     * @return closing it removes the listener
     */
    AutoCloseable add(String templatePrefix, Consumer<UnitName> listener) {
        Watch watch = new Watch(templatePrefix, listener);
        synchronized (lock) {
            watches.add(watch);
            nextAttempt = System.nanoTime();
            maintain();
        }
        return () -> watches.removeIf(w -> w == watch);
    }

    /**
     * Opens the signal connection if there are listeners and it is missing or dead, unless the last
     * attempt failed less than {@code SIGNAL_RETRY_SECONDS} ago. Never throws: a failure only
     * costs signals. Blocks at most the call timeout.
     */
    void maintain() {
        synchronized (lock) {
            if (watches.isEmpty() || feed != null && feed.isAlive() || System.nanoTime() - nextAttempt < 0) {
                return;
            }
            if (feed != null) {
                feed.close();
                feed = null;
            }
            try {
                feed = opener.open(() -> {
                    try {
                        return SignalFeed.open(address, this::unitSignalled);
                    } catch (DBusException | RuntimeException e) {
                        throw new CallFailure(CallFailure.Kind.CONNECT_FAILED, null, CallFailure.describe(e), e);
                    }
                }, SignalFeed::close);
                feedsOpened++;
                LOG.debug("Receiving unit signals from systemd at {} (signal connection {})", address, feedsOpened);
            } catch (CallFailure f) {
                nextAttempt = System.nanoTime() + TimeUnit.SECONDS.toNanos(SIGNAL_RETRY_SECONDS);
                LOG.warn("Cannot receive unit signals from systemd at {} ({}); retrying with a later call.",
                        address, f.detail());
            }
        }
    }

    /** On the signal thread: hands {@code unitName} to every listener whose template it belongs to. */
    private void unitSignalled(String unitName) {
        for (Watch watch : watches) {
            UnitName.parse(watch.templatePrefix, unitName).ifPresent(unit -> {
                try {
                    watch.listener.accept(unit);
                } catch (RuntimeException e) {
                    LOG.warn("A unit change listener failed for {}", unit, e);
                }
            });
        }
    }

    /** Drops every listener and closes the feed. */
    @Override
    public void close() {
        SignalFeed last;
        synchronized (lock) {
            last = feed;
            feed = null;
        }
        if (last != null) {
            last.close();
        }
        watches.clear();
    }
}
