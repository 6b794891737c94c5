package io.iocagent.systemd;

import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.types.UInt32;

/**
 * Wire type: one entry of {@code ListUnitsByPatterns}, D-Bus signature {@code (ssssssouso)}.
 * Field order is the wire order; dbus-java fills the fields reflectively through the constructor.
 */
public final class UnitStatus extends Struct {
    @Position(0)
    public final String name;
    @Position(1)
    public final String description;
    @Position(2)
    public final String loadState;
    @Position(3)
    public final String activeState;
    @Position(4)
    public final String subState;
    /** The unit this one follows in state, or empty. */
    @Position(5)
    public final String followed;
    @Position(6)
    public final DBusPath unitPath;
    /** Id of the queued job, 0 if none. */
    @Position(7)
    public final UInt32 jobId;
    /** Type of the queued job ({@code start}, …), empty if none. */
    @Position(8)
    public final String jobType;
    @Position(9)
    public final DBusPath jobPath;

    public UnitStatus(String name, String description, String loadState, String activeState, String subState,
            String followed, DBusPath unitPath, UInt32 jobId, String jobType, DBusPath jobPath) {
        this.name = name;
        this.description = description;
        this.loadState = loadState;
        this.activeState = activeState;
        this.subState = subState;
        this.followed = followed;
        this.unitPath = unitPath;
        this.jobId = jobId;
        this.jobType = jobType;
        this.jobPath = jobPath;
    }
}
