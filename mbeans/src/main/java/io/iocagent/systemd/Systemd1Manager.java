package io.iocagent.systemd;

import java.util.List;

import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.UInt32;

/**
 * Wire type: the subset of {@code org.freedesktop.systemd1.Manager} this project calls, written by
 * hand from {@code org.freedesktop.systemd1(5)} (no maintained binding exists for dbus-java 5).
 *
 * <p>Method names and parameter order are the D-Bus ones, so they are capitalised. The methods serve
 * as call descriptors for {@link BusSession}, which sends them with its own reply timeout; no proxy
 * of this interface is created. Callers use {@link SystemdBus}, which adds the {@link UnitName}
 * gate, reconnects and readable errors. Signal classes must be nested here for dbus-java to map
 * them to this interface.
 */
@DBusInterfaceName("org.freedesktop.systemd1.Manager")
public interface Systemd1Manager extends DBusInterface {

    /** {@code (as states, as patterns) -> a(ssssssouso)}; empty {@code states} means any state. */
    List<UnitStatus> ListUnitsByPatterns(List<String> states, List<String> patterns);

    /** Loads the unit if needed and returns its object path; works for units that do not exist. */
    DBusPath LoadUnit(String name);

    /** The object path of a loaded unit; fails with {@code NoSuchUnit} otherwise. */
    DBusPath GetUnit(String name);

    /** Queues a start job; {@code mode} is {@code replace}, {@code fail}, … Returns the job path. */
    DBusPath StartUnit(String name, String mode);

    DBusPath StopUnit(String name, String mode);

    DBusPath RestartUnit(String name, String mode);

    /** {@code (as files, b runtime, b force) -> (b carries_install_info, a(sss) changes)}. */
    InstallResult<Boolean, List<UnitFileChangeStruct>> EnableUnitFiles(List<String> files, boolean runtime, boolean force);

    /** {@code (as files, b runtime) -> a(sss) changes}. */
    List<UnitFileChangeStruct> DisableUnitFiles(List<String> files, boolean runtime);

    /** {@code (as files, b runtime, b force) -> a(sss) changes}. */
    List<UnitFileChangeStruct> LinkUnitFiles(List<String> files, boolean runtime, boolean force);

    /** {@code enabled}, {@code disabled}, {@code linked}, {@code static}, … for a unit file name. */
    String GetUnitFileState(String file);

    /** Equivalent of {@code systemctl daemon-reload}; replies once the reload is complete. */
    void Reload();

    /** Asks for signals on this connection; tracked per connection, so repeat after reconnecting. */
    void Subscribe();

    /** {@code JobRemoved(u id, o job, s unit, s result)}: a job finished with {@code result}. */
    class JobRemoved extends DBusSignal {
        private final long id;
        private final DBusPath job;
        private final String unit;
        private final String result;

        public JobRemoved(String path, UInt32 id, DBusPath job, String unit, String result) throws DBusException {
            super(path, id, job, unit, result);
            this.id = id.longValue();
            this.job = job;
            this.unit = unit;
            this.result = result;
        }

        public long getId() {
            return id;
        }

        /** The job's object path, as returned by {@code StartUnit} and friends. */
        public DBusPath getJob() {
            return job;
        }

        public String getUnit() {
            return unit;
        }

        /** {@code done}, {@code canceled}, {@code timeout}, {@code failed}, {@code dependency} or {@code skipped}. */
        public String getResult() {
            return result;
        }
    }

    /** {@code UnitNew(s id, o unit)}: a unit was loaded into memory. */
    class UnitNew extends DBusSignal {
        private final String unit;
        private final DBusPath unitPath;

        public UnitNew(String path, String unit, DBusPath unitPath) throws DBusException {
            super(path, unit, unitPath);
            this.unit = unit;
            this.unitPath = unitPath;
        }

        public String getUnit() {
            return unit;
        }

        public DBusPath getUnitPath() {
            return unitPath;
        }
    }

    /** {@code UnitRemoved(s id, o unit)}: a unit was unloaded (garbage-collected) from memory. */
    class UnitRemoved extends DBusSignal {
        private final String unit;
        private final DBusPath unitPath;

        public UnitRemoved(String path, String unit, DBusPath unitPath) throws DBusException {
            super(path, unit, unitPath);
            this.unit = unit;
            this.unitPath = unitPath;
        }

        public String getUnit() {
            return unit;
        }

        public DBusPath getUnitPath() {
            return unitPath;
        }
    }
}
