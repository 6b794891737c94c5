package io.iocagent.ops;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Mode;
import io.iocagent.systemd.JobResult;
import io.iocagent.systemd.UnitFileChange;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code start}, {@code stop}, {@code restart}, {@code enable}, {@code disable} of an installed
 * IOC through systemd's D-Bus API. Every verb checks the IOC is installed first, so a typo never
 * instantiates the template. Start and restart wait for systemd's job and report its result.
 */
public final class Lifecycle {

    /** How long a start/stop/restart job may take before we stop waiting (systemd's own default stop timeout is 90 s). */
    public static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

    private final Session session;
    private final Terminal t;

    public Lifecycle(Session session) {
        this.session = session;
        this.t = session.terminal();
    }

    /** Starts the IOC and waits for systemd's job; returns the resulting unit state. */
    public UnitState start(IocName name) throws OperationException {
        return startOrRestart(name, false);
    }

    /** Restarts the IOC (starts it if stopped) and waits for systemd's job. */
    public UnitState restart(IocName name) throws OperationException {
        return startOrRestart(name, true);
    }

    private UnitState startOrRestart(IocName name, boolean restart) throws OperationException {
        String verb = restart ? "restart" : "start";
        Path conf = Installed.require(session, name, verb);
        UnitName unit = session.unit(name);
        if (session.mode() == Mode.LOCAL) {
            // The seed reloads before every local start: homes on NFS give the manager no inotify.
            Systemd.run(() -> session.systemd().reload(), "reload the user manager (daemon-reload)");
        }
        UnitState before = Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit);
        if (restart && before.activeState().equals("active")) {
            warnIfConfChangedSinceActivation(conf, before);
        }
        JobResult job = Systemd.call(() -> restart
                ? session.systemd().restart(unit, JOB_TIMEOUT)
                : session.systemd().start(unit, JOB_TIMEOUT), verb + " " + unit);
        UnitState after = Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit);
        if (!job.succeeded() || !after.activeState().equals("active")) {
            throw OperationException.failure("IOC '" + name + "' failed to " + verb + " (systemd job " + job.result()
                            + "; State: " + after.activeState() + "/" + after.subState() + ").",
                    "  -> Check logs: tail -f " + session.layout().logFile(name),
                    "  -> And systemd's view: ioc-runner " + session.modeFlag() + "status " + name);
        }
        t.out("IOC '" + name + "' " + (restart ? "restarted" : "started") + " (" + after.activeState() + "/"
                + after.subState() + ", PID " + after.mainPid() + ").");
        return after;
    }

    /** The seed's #106 warning: a restart applies edits that never went through install's validation. */
    private void warnIfConfChangedSinceActivation(Path conf, UnitState state) {
        try {
            Instant modified = Files.getLastModifiedTime(conf).toInstant();
            state.activeEnterTimestamp().filter(modified::isAfter).ifPresent(since ->
                    t.err("Warning: " + conf + " changed after the running unit was activated; this restart applies "
                            + "UNVALIDATED edits. Re-run 'install' to validate them."));
        } catch (IOException e) {
            // No mtime, no warning: the restart itself does not depend on it.
        }
    }

    /** Stops the IOC and waits for systemd's job. */
    public UnitState stop(IocName name) throws OperationException {
        Installed.require(session, name, "stop");
        UnitName unit = session.unit(name);
        JobResult job = Systemd.call(() -> session.systemd().stop(unit, JOB_TIMEOUT), "stop " + unit);
        UnitState after = Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit);
        if (!job.succeeded()) {
            throw OperationException.failure("Stopping IOC '" + name + "' did not complete (systemd job " + job.result()
                    + "; State: " + after.activeState() + ").", "  -> Check: ioc-runner " + session.modeFlag() + "status " + name);
        }
        t.out("IOC '" + name + "' stopped (" + after.activeState() + ").");
        return after;
    }

    /** Enables the IOC to start with its manager (boot in system mode, login/linger in local mode). */
    public List<UnitFileChange> enable(IocName name) throws OperationException {
        Installed.require(session, name, "enable");
        UnitName unit = session.unit(name);
        List<UnitFileChange> changes = Systemd.call(() -> session.systemd().enable(unit), "enable " + unit);
        report(changes);
        t.out("IOC '" + name + "' enabled.");
        return changes;
    }

    /** Disables the IOC: it no longer starts with its manager. */
    public List<UnitFileChange> disable(IocName name) throws OperationException {
        Installed.require(session, name, "disable");
        UnitName unit = session.unit(name);
        List<UnitFileChange> changes = Systemd.call(() -> session.systemd().disable(unit), "disable " + unit);
        report(changes);
        t.out("IOC '" + name + "' disabled.");
        return changes;
    }

    /** systemctl's wording for unit-file changes, on stderr as systemctl prints them. */
    private void report(List<UnitFileChange> changes) {
        changes.forEach(c -> t.err(c.describe()));
    }
}
