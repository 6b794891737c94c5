package io.iocagent.systemd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the operations ({@code install}, {@code start}, {@code stop}, {@code enable}, …) ask of a
 * systemd manager: jobs, unit files, reloads and the state of one unit. The changing half beside
 * {@link UnitQuery}'s read-only one; {@link #over(SystemdBus)} answers it with the long-lived
 * {@link SystemdBus}, whose methods of the same names document each call. Unit tests of the
 * operations answer it with a table.
 *
 * <p>Failures arrive as {@link SystemdException}, worded like {@link SystemdBus}'s.
 */
public interface UnitControl {

    /** The state of one unit; see {@link SystemdBus#state}. */
    UnitState state(UnitName unit);

    /** The loaded instances of a template; see {@link SystemdBus#listUnits}. */
    Map<UnitName, UnitSummary> listUnits(String templatePrefix);

    /** Starts {@code unit} and waits for the job; see {@link SystemdBus#start}. */
    JobResult start(UnitName unit, Duration jobTimeout);

    /** Stops {@code unit} and waits for the job; see {@link SystemdBus#stop}. */
    JobResult stop(UnitName unit, Duration jobTimeout);

    /** Restarts {@code unit} and waits for the job; see {@link SystemdBus#restart}. */
    JobResult restart(UnitName unit, Duration jobTimeout);

    /** Enables {@code unit}; see {@link SystemdBus#enable}. */
    List<UnitFileChange> enable(UnitName unit);

    /** Disables {@code unit}; see {@link SystemdBus#disable}. */
    List<UnitFileChange> disable(UnitName unit);

    /** Links a template unit file into the search path; see {@link SystemdBus#linkUnitFile}. */
    List<UnitFileChange> linkUnitFile(Path file, boolean runtime);

    /** Reloads the manager's configuration; see {@link SystemdBus#reload}. */
    void reload();

    /** The manager's unit search path; see {@link SystemdBus#unitSearchPath}. */
    List<Path> unitSearchPath();

    /** The operations answered by {@code bus}, which stays its owner's to close. */
    static UnitControl over(SystemdBus bus) {
        return new UnitControl() {
            @Override
            public UnitState state(UnitName unit) {
                return bus.state(unit);
            }

            @Override
            public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
                return bus.listUnits(templatePrefix);
            }

            @Override
            public JobResult start(UnitName unit, Duration jobTimeout) {
                return bus.start(unit, jobTimeout);
            }

            @Override
            public JobResult stop(UnitName unit, Duration jobTimeout) {
                return bus.stop(unit, jobTimeout);
            }

            @Override
            public JobResult restart(UnitName unit, Duration jobTimeout) {
                return bus.restart(unit, jobTimeout);
            }

            @Override
            public List<UnitFileChange> enable(UnitName unit) {
                return bus.enable(unit);
            }

            @Override
            public List<UnitFileChange> disable(UnitName unit) {
                return bus.disable(unit);
            }

            @Override
            public List<UnitFileChange> linkUnitFile(Path file, boolean runtime) {
                return bus.linkUnitFile(file, runtime);
            }

            @Override
            public void reload() {
                bus.reload();
            }

            @Override
            public List<Path> unitSearchPath() {
                return bus.unitSearchPath();
            }

            @Override
            public String toString() {
                return bus.toString();
            }
        };
    }
}
