package io.iocagent.model;

import io.iocagent.systemd.FakeManager;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitProperty;
import io.iocagent.systemd.UnitQuery;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The model's {@link UnitFeed} answered by a {@link FakeManager} table; counts connections and
 * closes, the readers it opened and closed, and the calls that keep the signal feed alive.
 */
class FakeFeed implements UnitFeed {

    private final FakeManager manager;
    private final AtomicInteger closed;
    final AtomicInteger readersOpened = new AtomicInteger();
    final AtomicInteger readersClosed = new AtomicInteger();
    final AtomicInteger keptFlowing = new AtomicInteger();

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
        keptFlowing.incrementAndGet();
    }

    @Override
    public UnitQuery reader() {
        manager.ping(); // connecting a reader fails while the bus is unreachable
        readersOpened.incrementAndGet();
        return new UnitQuery() {
            @Override
            public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
                return manager.listUnits(templatePrefix);
            }

            @Override
            public Map<UnitName, UnitState> states(Collection<UnitName> units, Set<UnitProperty> properties) {
                return manager.states(units, properties);
            }

            @Override
            public int calls() {
                return manager.calls();
            }

            @Override
            public void close() {
                readersClosed.incrementAndGet();
            }
        };
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
