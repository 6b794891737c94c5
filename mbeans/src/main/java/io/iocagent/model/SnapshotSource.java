package io.iocagent.model;

import java.util.function.BiConsumer;

/**
 * Where surfaces get the model: the latest snapshot without blocking, and a callback after each
 * change (old, new) — delivered on the refresher's thread, so listeners must be quick.
 */
public interface SnapshotSource {

    Snapshot current();

    /** Registers {@code listener}; it is called with the previous and the new snapshot after every change. */
    void addListener(BiConsumer<Snapshot, Snapshot> listener);
}
