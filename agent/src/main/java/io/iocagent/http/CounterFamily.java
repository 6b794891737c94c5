package io.iocagent.http;

import io.iocagent.model.IocSnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * One counter family with a series per IOC ({@code ioc} label), following the IOCs of each
 * snapshot: Micrometer has no multi-row counter like {@code MultiGauge}, so this registers a
 * {@link FunctionCounter} when an IOC appears and removes it from the registry when the IOC goes
 * or its value becomes unknown (negative or NaN), so its series disappears from the next scrape.
 *
 * <p>{@link #update} is called by one thread at a time (the owner synchronises); scrapes read
 * the volatile cell values from any thread.
 */
final class CounterFamily {

    /** The value a series reports; held strongly here, as FunctionCounter keeps only a weak reference. */
    private static final class Cell {
        volatile double value;
        FunctionCounter counter;
    }

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String baseUnit;
    private final ToDoubleFunction<IocSnapshot> value;
    private final Map<String, Cell> cells = new HashMap<>();

    /** @param baseUnit Prometheus base unit ("seconds") or null; never put "total" in the name. */
    CounterFamily(MeterRegistry registry, String name, String description, String baseUnit,
                  ToDoubleFunction<IocSnapshot> value) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.baseUnit = baseUnit;
        this.value = value;
    }

    void update(Collection<IocSnapshot> iocs) {
        Set<String> present = new HashSet<>();
        for (IocSnapshot ioc : iocs) {
            double v = value.applyAsDouble(ioc);
            if (!(v >= 0)) {
                continue;
            }
            Cell cell = cells.computeIfAbsent(ioc.name(), this::register);
            cell.value = v;
            present.add(ioc.name());
        }
        cells.entrySet().removeIf(e -> {
            if (present.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().counter);
            return true;
        });
    }

    private Cell register(String ioc) {
        Cell cell = new Cell();
        cell.counter = FunctionCounter.builder(name, cell, c -> c.value)
                .tag("ioc", ioc)
                .description(description)
                .baseUnit(baseUnit)
                .register(registry);
        return cell;
    }
}
