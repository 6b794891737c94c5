package io.iocagent.jmx;

import io.iocagent.ops.ConsoleInspection;

import io.iocagent.model.Readiness;
import io.iocagent.model.Snapshot;
import io.iocagent.model.SnapshotSource;
import io.iocagent.ops.WhichIoc;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.MBeanException;

/** {@link ManagerMXBean}: counts from the source's current snapshot, operations via {@link Operations}. Thread-safe. */
final class ManagerBean implements ManagerMXBean {

    private final SnapshotSource source;
    private final Operations operations;

    ManagerBean(SnapshotSource source, Operations operations) {
        this.source = source;
        this.operations = operations;
    }

    @Override
    public String getMode() {
        return source.current().mode();
    }

    @Override
    public int getIocCount() {
        return source.current().iocs().size();
    }

    @Override
    public long getActiveCount() {
        return source.current().activeCount();
    }

    @Override
    public long getReadyCount() {
        return source.current().count(Readiness.READY);
    }

    @Override
    public long getFailedCount() {
        return source.current().count(Readiness.FAILED);
    }

    @Override
    public long getCrashLoopCount() {
        return source.current().count(Readiness.CRASH_LOOP);
    }

    @Override
    public Map<String, Long> getReadinessCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        source.current().readinessCounts().forEach((r, n) -> out.put(r.name(), n));
        return out;
    }

    @Override
    public String getConfDirectory() {
        return source.current().confDirectory();
    }

    @Override
    public boolean isSystemdConnected() {
        return source.current().systemdConnected();
    }

    @Override
    public String getLastRefresh() {
        Instant at = source.current().takenAt();
        return at.equals(Instant.EPOCH) ? "" : Operations.iso(at);
    }

    @Override
    public long getRefreshMillis() {
        return source.current().refreshDuration().toMillis();
    }

    @Override
    public long getRefreshErrors() {
        return source.current().refreshErrors();
    }

    @Override
    public String list() throws MBeanException {
        return operations.list();
    }

    @Override
    public String install(String path) throws MBeanException {
        return operations.install(path, false);
    }

    @Override
    public String installForce(String path) throws MBeanException {
        return operations.install(path, true);
    }

    @Override
    public String generate(String dir) throws MBeanException {
        return operations.generate(dir, false);
    }

    @Override
    public String generateForce(String dir) throws MBeanException {
        return operations.generate(dir, true);
    }

    @Override
    public String remove(String name) throws MBeanException {
        return operations.remove(Operations.iocName(name));
    }

    @Override
    public String start(String name) throws MBeanException {
        return operations.act(UnitAction.START, Operations.iocName(name));
    }

    @Override
    public WhichIoc.Answer whichIoc(String pv) throws MBeanException {
        return operations.whichIoc(pv);
    }

    @Override
    public String stop(String name) throws MBeanException {
        return operations.act(UnitAction.STOP, Operations.iocName(name));
    }

    @Override
    public String restart(String name) throws MBeanException {
        return operations.act(UnitAction.RESTART, Operations.iocName(name));
    }

    @Override
    public String enable(String name) throws MBeanException {
        return operations.act(UnitAction.ENABLE, Operations.iocName(name));
    }

    @Override
    public String disable(String name) throws MBeanException {
        return operations.act(UnitAction.DISABLE, Operations.iocName(name));
    }

    @Override
    public ConsoleInspection inspect(String name) throws MBeanException {
        return operations.inspect(Operations.iocName(name));
    }

    @Override
    public String refresh() throws MBeanException {
        operations.refresh();
        Snapshot s = source.current();
        return "Snapshot taken at " + Operations.iso(s.takenAt()) + ": " + s.iocs().size() + " IOCs, "
                + (s.activeCount() < 0 ? "unknown how many" : String.valueOf(s.activeCount())) + " active, " + s.count(Readiness.READY) + " ready, " + s.count(Readiness.FAILED)
                + " failed, " + s.count(Readiness.CRASH_LOOP) + " in a crash loop, " + s.count(Readiness.HUNG)
                + " hung; systemd "
                + (s.systemdConnected() ? "connected" : "NOT connected") + ".";
    }
}
