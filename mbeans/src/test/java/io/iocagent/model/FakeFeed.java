package io.iocagent.model;

import io.iocagent.systemd.FakeManager;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.util.Collection;
import java.util.Map;
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
    public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
        return manager.listUnits(templatePrefix);
    }

    @Override
    public Map<UnitName, UnitState> states(Collection<UnitName> units) {
        return manager.states(units);
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
