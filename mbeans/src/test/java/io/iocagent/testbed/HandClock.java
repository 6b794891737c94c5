package io.iocagent.testbed;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock that only the test moves, for unit tests of time-based rules. Thread-safe. */
public final class HandClock extends Clock {

    private volatile Instant now;

    /** A clock standing at {@code start}. */
    public HandClock(Instant start) {
        this.now = start;
    }

    /** A clock standing at 2026-12-03T09:00:00Z. */
    public HandClock() {
        this(Instant.parse("2026-12-03T09:00:00Z"));
    }

    /** Moves the clock on by {@code step}. */
    public synchronized void advance(Duration step) {
        now = now.plus(step);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
