package io.iocagent.systemd;

import io.iocagent.conf.IocName;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A systemd manager as a table, for unit tests of pure logic (never for integration tests): the
 * units it holds in memory with their whole states, jobs that change them at once, unit-file
 * changes that flip {@code UnitFileState}, and a switch that makes every call fail as an
 * unreachable bus does. It answers both {@link UnitQuery} and {@link UnitControl}; it records
 * what was asked, so tests can say what a caller must (not) ask. Thread-safe.
 */
public final class FakeManager implements UnitQuery, UnitControl {

    /** Decides a job's result and its effect on the table; the default starts, stops and restarts at once. */
    @FunctionalInterface
    public interface Job {
        JobResult run(FakeManager manager, String operation, UnitName unit);
    }

    private final String prefix;
    private final Map<UnitName, UnitState> units = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<Set<UnitName>> statesAsked = new CopyOnWriteArrayList<>();
    private final List<Set<UnitProperty>> propertiesAsked = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextPid = new AtomicInteger(4000);
    private volatile String unreachable;
    private volatile Job job = FakeManager::defaultJob;
    private final Map<String, SystemdException> failing = new ConcurrentHashMap<>();
    private volatile List<Path> searchPath = List.of(Path.of("/etc/systemd/user"));

    public FakeManager(String templatePrefix) {
        this.prefix = templatePrefix;
    }

    // ---- the table -----------------------------------------------------------------------------

    public UnitName unit(String name) {
        return new UnitName(prefix, new IocName(name));
    }

    /** Holds {@code name}'s unit as running ({@code active/running}, a main PID, a cgroup). */
    public FakeManager running(String name) {
        return put(state(unit(name), "active", "running", nextPid.getAndIncrement(), "enabled"));
    }

    /** Holds {@code name}'s unit in {@code activeState} ({@code sub}), no main process. */
    public FakeManager held(String name, String activeState, String subState) {
        return put(state(unit(name), activeState, subState, 0, "disabled"));
    }

    public FakeManager put(UnitState state) {
        units.put(state.unit(), state);
        return this;
    }

    /** Forgets the unit, as systemd's garbage collection unloads an inactive one. */
    public FakeManager unload(String name) {
        units.remove(unit(name));
        return this;
    }

    /** The held state, or what systemd says of a unit it cannot find. */
    public UnitState held(UnitName unit) {
        return units.getOrDefault(unit, notFound(unit));
    }

    /** Every call fails with {@code BUS_UNREACHABLE} while {@code why} is not null. */
    public FakeManager unreachable(String why) {
        this.unreachable = why;
        return this;
    }

    /** Every later call named {@code call} ({@code reload}, {@code disable}, …) fails with {@code failure}; null ends that. */
    public FakeManager failing(String call, SystemdException failure) {
        if (failure == null) {
            failing.remove(call);
        } else {
            failing.put(call, failure);
        }
        return this;
    }

    /** The unit search path {@link #unitSearchPath} answers, in the manager's order. */
    public FakeManager searchPath(List<Path> directories) {
        this.searchPath = List.copyOf(directories);
        return this;
    }

    public FakeManager jobs(Job job) {
        this.job = job;
        return this;
    }

    /** Every call so far, by method name ({@code listUnits}, {@code states}, {@code start}, …). */
    public List<String> asked() {
        return List.copyOf(calls);
    }

    /** The units of each {@code states} call, in order. */
    public List<Set<UnitName>> statesAsked() {
        return List.copyOf(statesAsked);
    }

    /** The properties of each {@link UnitQuery#states} call, in order. */
    public List<Set<UnitProperty>> propertiesAsked() {
        return List.copyOf(propertiesAsked);
    }

    public int count(String call) {
        return (int) calls.stream().filter(call::equals).count();
    }

    /** A whole unit state as systemd reports it; cgroup {@code /fake.slice/<unit>}, no accounting. */
    public static UnitState state(UnitName unit, String activeState, String subState, int mainPid, String unitFileState) {
        boolean active = activeState.equals("active");
        return new UnitState(unit, "loaded", activeState, subState, "success", mainPid, 0, Optional.empty(),
                active ? Optional.of(Instant.parse("2026-12-03T09:00:00Z")) : Optional.empty(),
                mainPid > 0 ? "/fake.slice/" + unit : "", OptionalLong.empty(), OptionalLong.empty(),
                "/etc/systemd/system/" + unit.templateFileName(), List.of(), unitFileState);
    }

    public static UnitState notFound(UnitName unit) {
        return new UnitState(unit, "not-found", "inactive", "dead", "", 0, 0, Optional.empty(), Optional.empty(), "",
                OptionalLong.empty(), OptionalLong.empty(), "", List.of(), "");
    }

    /** A failure worded as {@link SystemdBus} words an unreachable bus. */
    public static SystemdException unreachableFailure(String why) {
        return new SystemdException(SystemdException.Reason.BUS_UNREACHABLE, "Cannot reach systemd: " + why + ".",
                "Check that the manager runs.", null);
    }

    /** A failure of any kind, as systemd's refusals arrive. */
    public static SystemdException failure(SystemdException.Reason reason, String problem, String hint) {
        return new SystemdException(reason, problem, hint, null);
    }

    private void call(String name) {
        calls.add(name);
        String why = unreachable;
        if (why != null) {
            throw unreachableFailure(why);
        }
        SystemdException failure = failing.get(name);
        if (failure != null) {
            throw failure;
        }
    }

    private static JobResult defaultJob(FakeManager m, String operation, UnitName unit) {
        UnitState was = m.held(unit);
        switch (operation) {
            case "start", "restart" -> m.put(state(unit, "active", "running",
                    was.isActive() && operation.equals("start") ? was.mainPid() : m.nextPid.getAndIncrement(),
                    was.unitFileState().isEmpty() ? "disabled" : was.unitFileState()));
            case "stop" -> m.put(state(unit, "inactive", "dead", 0,
                    was.unitFileState().isEmpty() ? "disabled" : was.unitFileState()));
            default -> throw new IllegalArgumentException(operation);
        }
        return new JobResult(unit, operation, "done");
    }

    // ---- UnitQuery and UnitControl ---------------------------------------------------------------

    @Override
    public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
        call("listUnits");
        Map<UnitName, UnitSummary> listed = new TreeMap<>();
        units.values().stream().filter(s -> s.unit().templatePrefix().equals(templatePrefix)).forEach(s ->
                listed.put(s.unit(), new UnitSummary(s.unit(), "", s.loadState(), s.activeState(), s.subState(), "")));
        return listed;
    }

    @Override
    public Map<UnitName, UnitState> states(Collection<UnitName> asked, Set<UnitProperty> properties) {
        propertiesAsked.add(Set.copyOf(properties));
        return states(asked);
    }

    /** Whole states, as {@link SystemdBus#states} reads them. */
    public Map<UnitName, UnitState> states(Collection<UnitName> asked) {
        call("states");
        statesAsked.add(Set.copyOf(asked));
        Map<UnitName, UnitState> answer = new LinkedHashMap<>();
        for (UnitName u : asked) {
            answer.put(u, held(u));
        }
        return answer;
    }

    @Override
    public UnitState state(UnitName unit) {
        return states(List.of(unit)).get(unit);
    }

    @Override
    public JobResult start(UnitName unit, Duration jobTimeout) {
        call("start");
        return job.run(this, "start", unit);
    }

    @Override
    public JobResult stop(UnitName unit, Duration jobTimeout) {
        call("stop");
        return job.run(this, "stop", unit);
    }

    @Override
    public JobResult restart(UnitName unit, Duration jobTimeout) {
        call("restart");
        return job.run(this, "restart", unit);
    }

    @Override
    public List<UnitFileChange> enable(UnitName unit) {
        call("enable");
        UnitState s = held(unit);
        if (s.unitFileState().equals("enabled")) {
            return List.of();
        }
        put(withUnitFileState(s, "enabled"));
        return List.of(new UnitFileChange("symlink", "/etc/systemd/system/multi-user.target.wants/" + unit,
                "/etc/systemd/system/" + unit.templateFileName()));
    }

    @Override
    public List<UnitFileChange> disable(UnitName unit) {
        call("disable");
        UnitState s = held(unit);
        if (!s.unitFileState().equals("enabled")) {
            return List.of();
        }
        put(withUnitFileState(s, "disabled"));
        return List.of(new UnitFileChange("unlink", "/etc/systemd/system/multi-user.target.wants/" + unit, ""));
    }

    @Override
    public List<UnitFileChange> linkUnitFile(Path file, boolean runtime) {
        call("linkUnitFile");
        return List.of(new UnitFileChange("symlink", "/run/systemd/user/" + file.getFileName(), file.toString()));
    }

    @Override
    public void reload() {
        call("reload");
    }

    @Override
    public List<Path> unitSearchPath() {
        call("unitSearchPath");
        return searchPath;
    }

    @Override
    public int calls() {
        return calls.size();
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "a fake manager";
    }

    private static UnitState withUnitFileState(UnitState s, String unitFileState) {
        return new UnitState(s.unit(), s.loadState().equals("not-found") ? "loaded" : s.loadState(), s.activeState(),
                s.subState(), s.serviceResult(), s.mainPid(), s.restarts(), s.execMainStartTimestamp(),
                s.activeEnterTimestamp(), s.controlGroup(), s.cpuNanos(), s.memoryBytes(), s.fragmentPath(),
                s.dropInPaths(), unitFileState);
    }

    /** Subscribers of {@link #signal}, for a model's feed built on this table. */
    private final List<Consumer<UnitName>> subscribers = new CopyOnWriteArrayList<>();

    /** Registers {@code listener} for {@link #signal}; returns what unsubscribes it. */
    public AutoCloseable subscribe(Consumer<UnitName> listener) {
        call("subscribe");
        subscribers.add(listener);
        return () -> subscribers.remove(listener);
    }

    /** Sends a {@code PropertiesChanged} for {@code name}'s unit to every subscriber, as the D-Bus thread does. */
    public void signal(String name) {
        subscribers.forEach(s -> s.accept(unit(name)));
    }

    public int subscribers() {
        return subscribers.size();
    }

    /** {@link SystemdBus#ping}. */
    public void ping() {
        call("ping");
    }
}
