package io.iocagent.systemd;

import java.util.Objects;

/**
 * How a systemd job (start, stop, restart) ended, from its {@code JobRemoved} signal.
 *
 * @param unit      the unit the job was for
 * @param operation {@code start}, {@code stop} or {@code restart}
 * @param result    {@code done}, {@code canceled}, {@code timeout}, {@code failed}, {@code dependency}
 *                  or {@code skipped}
 */
public record JobResult(UnitName unit, String operation, String result) {

    public JobResult {
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(result, "result");
    }

    /**
     * True for {@code done}: the job did what was asked. For a start of a {@code Type=simple}
     * service that only means the process was forked; check {@link UnitState} for later failures.
     */
    public boolean succeeded() {
        return "done".equals(result);
    }
}
