package io.iocagent.systemd;

import io.iocagent.dbus.Connection;
import io.iocagent.dbus.Message;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@link UnitControl} for a short command: jobs, reloads and states over the lean
 * {@link Connection} of a {@link WireUnitQuery} (the manager's private socket where the caller may
 * use it, else the bus), the way {@code systemctl start} does it — {@code Subscribe} (and on a bus
 * one {@code AddMatch} for {@code JobRemoved}), the job call, then the job's {@code JobRemoved}
 * signal. No dbus-java, no native library. What a command line rarely needs (enable, disable,
 * linking the template, the search path) goes to the full {@link SystemdBus}, opened on first use.
 *
 * <p>{@link #state} reads the properties the operations look at: load, active and sub state,
 * {@code ActiveEnterTimestamp} and the unit file state (one pipelined round trip). Not
 * thread-safe; closing closes the connection, and the full client if it was opened.
 */
public final class WireUnitControl implements UnitControl, AutoCloseable {

    /** What {@link #state} reads. */
    static final Set<UnitProperty> STATE = EnumSet.of(UnitProperty.LOAD_STATE, UnitProperty.ACTIVE_STATE,
            UnitProperty.SUB_STATE, UnitProperty.ACTIVE_ENTER, UnitProperty.UNIT_FILE_STATE);

    private static final String JOB_REMOVED_MATCH = "type='signal',sender='org.freedesktop.systemd1',"
            + "path='/org/freedesktop/systemd1',interface='org.freedesktop.systemd1.Manager',member='JobRemoved'";

    private final WireUnitQuery query;
    private final Connection connection;
    private final ManagerEndpoint endpoint;
    private final boolean onBus;
    private final Supplier<SystemdBus> unitFilesConnector;
    private SystemdBus unitFilesBus;
    private UnitControl unitFiles;
    private boolean subscribed;

    private WireUnitControl(WireUnitQuery query, boolean onBus, Supplier<SystemdBus> unitFiles) {
        this.query = query;
        this.connection = query.connection();
        this.endpoint = query.endpoint();
        this.onBus = onBus;
        this.unitFilesConnector = Objects.requireNonNull(unitFiles, "unitFiles");
    }

    /**
     * Connects as {@link WireUnitQuery#connect} does.
     *
     * @param unitFiles opens the full client that serves enable, disable, link and the search path;
     *                  this control closes it
     * @throws SystemdException {@code BUS_UNREACHABLE} when the manager cannot be reached
     * @throws IllegalArgumentException for a bus address that is not {@code unix:path=}
     */
    public static WireUnitControl connect(ManagerAddress manager, long euid, Duration timeout,
                                          Supplier<SystemdBus> unitFiles) {
        WireUnitQuery query = WireUnitQuery.connect(manager, euid, timeout);
        return new WireUnitControl(query, !query.socket().equals(manager.privateSocket()), unitFiles);
    }

    /** D-Bus method calls made so far on the lean connection (Hello included on a bus). */
    public int calls() {
        return connection.calls();
    }

    @Override
    public UnitState state(UnitName unit) {
        return query.state(unit, STATE);
    }

    @Override
    public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
        return query.listUnits(templatePrefix);
    }

    @Override
    public JobResult start(UnitName unit, Duration jobTimeout) {
        return runJob("start", "StartUnit", unit, jobTimeout);
    }

    @Override
    public JobResult stop(UnitName unit, Duration jobTimeout) {
        return runJob("stop", "StopUnit", unit, jobTimeout);
    }

    @Override
    public JobResult restart(UnitName unit, Duration jobTimeout) {
        return runJob("restart", "RestartUnit", unit, jobTimeout);
    }

    @Override
    public void reload() {
        call(Action.reload(), connection.newCall(WireUnitQuery.MANAGER_PATH, WireUnitQuery.MANAGER_INTERFACE,
                "Reload", ""));
    }

    @Override
    public List<UnitFileChange> enable(UnitName unit) {
        return unitFiles().enable(unit);
    }

    @Override
    public List<UnitFileChange> disable(UnitName unit) {
        return unitFiles().disable(unit);
    }

    @Override
    public List<UnitFileChange> linkUnitFile(Path file, boolean runtime) {
        return unitFiles().linkUnitFile(file, runtime);
    }

    @Override
    public List<Path> unitSearchPath() {
        return unitFiles().unitSearchPath();
    }

    @Override
    public void close() {
        query.close();
        if (unitFilesBus != null) {
            unitFilesBus.close();
        }
    }

    @Override
    public String toString() {
        return "systemd on " + query.socket() + " (lean)";
    }

    private UnitControl unitFiles() {
        if (unitFiles == null) {
            unitFilesBus = unitFilesConnector.get();
            unitFiles = UnitControl.over(unitFilesBus);
        }
        return unitFiles;
    }

    /**
     * Queues the job and waits for its {@code JobRemoved}. Signals are asked for before the job
     * call, and any that arrive with its reply are kept by the connection, so a job that ends at
     * once is not missed.
     */
    private JobResult runJob(String operation, String method, UnitName unit, Duration jobTimeout) {
        Objects.requireNonNull(unit, "unit");
        Action action = Action.manageUnit(operation, unit);
        subscribe(action);
        Message reply = call(action, connection.newCall(WireUnitQuery.MANAGER_PATH, WireUnitQuery.MANAGER_INTERFACE,
                method, "ss", unit.toString(), "replace"));
        String job = reply.firstString();
        try {
            Message removed = connection.awaitSignal(m -> "JobRemoved".equals(m.member()) && m.body().size() == 4
                    && job.equals(m.body().get(1)), jobTimeout);
            return new JobResult(unit, operation, (String) removed.body().get(3));
        } catch (Connection.TimeoutException e) {
            throw new SystemdException(SystemdException.Reason.JOB_TIMEOUT,
                    "Timed out after " + ManagerEndpoint.seconds(jobTimeout) + " waiting for systemd to " + operation
                            + " " + unit + " (job " + job + " may still be queued or running).",
                    "Check '" + endpoint.systemctl() + " status " + unit + "' and '" + endpoint.journalctl() + " -u "
                            + unit + "'; '" + endpoint.systemctl() + " list-jobs' shows what systemd is waiting for.",
                    null);
        } catch (IOException e) {
            throw endpoint.explain(action, new CallFailure(CallFailure.Kind.CONNECTION_LOST, null,
                    "lost while waiting for job " + job + ": " + CallFailure.describe(e), e));
        }
    }

    /** Asks for the manager's signals once: a match rule on a bus, then {@code Subscribe}. */
    private void subscribe(Action action) {
        if (subscribed) {
            return;
        }
        if (onBus) {
            call(action, new Connection.Call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "AddMatch", "s", new Object[] {JOB_REMOVED_MATCH}));
        }
        call(action, connection.newCall(WireUnitQuery.MANAGER_PATH, WireUnitQuery.MANAGER_INTERFACE, "Subscribe", ""));
        subscribed = true;
    }

    private Message call(Action action, Connection.Call call) {
        Message reply;
        try {
            reply = connection.callAll(List.of(call), action.wait(connection.timeout())).get(0);
        } catch (Connection.TimeoutException e) {
            throw endpoint.explain(action, new CallFailure(CallFailure.Kind.TIMEOUT, null, e.getMessage(), e));
        } catch (IOException e) {
            throw endpoint.explain(action, new CallFailure(CallFailure.Kind.CONNECTION_LOST, null,
                    CallFailure.describe(e), e));
        }
        if (reply.type() == Message.ERROR) {
            throw endpoint.explain(action, WireUnitQuery.remoteError(reply));
        }
        return reply;
    }
}
