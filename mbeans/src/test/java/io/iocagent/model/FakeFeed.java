package io.iocagent.model;

import io.iocagent.systemd.FakeManager;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitQuery;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** The model's {@link UnitFeed} answered by a {@link FakeManager} table; counts connections and closes. */
class FakeFeed implements UnitFeed {

    private final FakeManager manager;
    private final AtomicInteger closed;

    FakeFeed(FakeManager manager, AtomicInteger closed) {
        this.manager = manager;
        this.closed = closed;
    }

    @Override
    public void ping() {
        manager.ping();
    }

    @Override
    public void keepSignalsFlowing() {
    }

    @Override
    public UnitQuery reader() {
        manager.ping(); // connecting a reader fails while the bus is unreachable
        return manager;
    }

    @Override
    public AutoCloseable subscribe(String templatePrefix, Consumer<UnitName> listener) {
        return manager.subscribe(listener);
    }

    @Override
    public String address() {
        return "unix:path=/fake/bus";
    }

    @Override
    public void close() {
        closed.incrementAndGet();
    }
}
