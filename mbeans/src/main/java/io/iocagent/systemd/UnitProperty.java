package io.iocagent.systemd;

/**
 * The unit properties a {@link UnitQuery} can be asked for, each named as systemd's D-Bus API
 * names it ({@code org.freedesktop.systemd1(5)}). A caller asks for the ones it prints; a lean
 * query fetches only those, one {@code Properties.Get} each.
 */
public enum UnitProperty {
    LOAD_STATE("Unit", "LoadState"),
    ACTIVE_STATE("Unit", "ActiveState"),
    SUB_STATE("Unit", "SubState"),
    RESULT("Service", "Result"),
    MAIN_PID("Service", "MainPID"),
    RESTARTS("Service", "NRestarts"),
    EXEC_MAIN_START("Service", "ExecMainStartTimestamp"),
    ACTIVE_ENTER("Unit", "ActiveEnterTimestamp"),
    CONTROL_GROUP("Service", "ControlGroup"),
    CPU_USAGE("Service", "CPUUsageNSec"),
    MEMORY_CURRENT("Service", "MemoryCurrent"),
    FRAGMENT_PATH("Unit", "FragmentPath"),
    DROP_IN_PATHS("Unit", "DropInPaths"),
    /** Read with the manager's {@code GetUnitFileState}, which does not load the unit. */
    UNIT_FILE_STATE("Unit", "UnitFileState"),
    /**
     * The same fact as the loaded unit's own {@code UnitFileState} property, which systemd works
     * out once per unit and daemon-reload and then keeps: for callers that read the unit anyway
     * (the agent's model), where {@code GetUnitFileState} would search the unit paths on every call.
     */
    LOADED_UNIT_FILE_STATE("Unit", "UnitFileState");

    private final String iface;
    private final String member;

    UnitProperty(String iface, String member) {
        this.iface = "org.freedesktop.systemd1." + iface;
        this.member = member;
    }

    /** The D-Bus interface that has the property. */
    public String iface() {
        return iface;
    }

    /** The property's D-Bus name. */
    public String member() {
        return member;
    }
}
