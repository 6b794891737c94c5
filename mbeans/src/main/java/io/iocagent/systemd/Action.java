package io.iocagent.systemd;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link SystemdBus} was asked to do, in words, for error messages: "start epics-@x.service".
 * Package-internal.
 *
 * @param verb          infinitive phrase, e.g. {@code start}, {@code read the state of}
 * @param target        unit, file or other object, e.g. {@code epics-@x.service}
 * @param templateFile  the unit's template file name for "not found" hints, or null
 * @param polkitActions the polkit actions a non-root caller needs for this, empty for reads
 * @param leastWait     the shortest time to wait for systemd's reply, whatever the call timeout:
 *                      {@link #RELOAD_WAIT} for a daemon-reload, zero for everything else
 */
record Action(String verb, String target, String templateFile, List<String> polkitActions, Duration leastWait) {

    static final String MANAGE_UNITS = "org.freedesktop.systemd1.manage-units";
    static final String MANAGE_UNIT_FILES = "org.freedesktop.systemd1.manage-unit-files";
    static final String RELOAD_DAEMON = "org.freedesktop.systemd1.reload-daemon";

    /**
     * How long a daemon-reload may take, as {@code systemctl daemon-reload} waits for it (twice
     * systemd's default 90 s timeout: the manager re-runs its generators and reloads every unit, so
     * a host with thousands of units under load takes seconds; measured 10.4 s with 1,087 units at
     * load 20 on 2 cores). The agent's short call timeout guards reads, not this.
     */
    static final Duration RELOAD_WAIT = Duration.ofSeconds(180);

    Action {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(target, "target");
        polkitActions = List.copyOf(polkitActions);
        Objects.requireNonNull(leastWait, "leastWait");
    }

    private Action(String verb, String target, String templateFile, List<String> polkitActions) {
        this(verb, target, templateFile, polkitActions, Duration.ZERO);
    }

    /** Start, stop, restart: needs {@code manage-units}. */
    static Action manageUnit(String verb, UnitName unit) {
        return new Action(verb, unit.toString(), unit.templateFileName(), List.of(MANAGE_UNITS));
    }

    /** Enable, disable, link: needs {@code manage-unit-files}, and {@code reload-daemon} for the reload after. */
    static Action manageUnitFiles(String verb, String target, String templateFile) {
        return new Action(verb, target, templateFile, List.of(MANAGE_UNIT_FILES, RELOAD_DAEMON));
    }

    static Action reload() {
        return new Action("reload", "its configuration (daemon-reload)", null, List.of(RELOAD_DAEMON), RELOAD_WAIT);
    }

    static Action read(String verb, String target) {
        return new Action(verb, target, null, List.of());
    }

    static Action read(String verb, UnitName unit) {
        return new Action(verb, unit.toString(), unit.templateFileName(), List.of());
    }

    /** How long to wait for the reply when calls otherwise wait {@code callTimeout}. */
    Duration wait(Duration callTimeout) {
        return callTimeout.compareTo(leastWait) >= 0 ? callTimeout : leastWait;
    }

    /** "start epics-@x.service". */
    String describe() {
        return target.isEmpty() ? verb : verb + " " + target;
    }
}
