package io.iocagent.systemd;

import java.util.Objects;

/**
 * One loaded IOC unit as {@code ListUnitsByPatterns} reports it: cheap to get for all units in one
 * call, but without PIDs or timestamps (use {@link SystemdBus#states} for those).
 *
 * @param unit        the unit
 * @param description the unit's {@code Description=}
 * @param loadState   {@code loaded}, {@code not-found}, …
 * @param activeState {@code active}, {@code inactive}, {@code failed}, …
 * @param subState    {@code running}, {@code dead}, …
 * @param jobType     type of the job queued for the unit ({@code start}, {@code stop}, …), empty if none
 */
public record UnitSummary(UnitName unit, String description, String loadState, String activeState,
        String subState, String jobType) {

    public UnitSummary {
        Objects.requireNonNull(unit, "unit");
        description = Objects.requireNonNullElse(description, "");
        loadState = Objects.requireNonNullElse(loadState, "");
        activeState = Objects.requireNonNullElse(activeState, "");
        subState = Objects.requireNonNullElse(subState, "");
        jobType = Objects.requireNonNullElse(jobType, "");
    }

    static UnitSummary of(UnitName unit, UnitStatus wire) {
        return new UnitSummary(unit, wire.description, wire.loadState, wire.activeState, wire.subState, wire.jobType);
    }
}
