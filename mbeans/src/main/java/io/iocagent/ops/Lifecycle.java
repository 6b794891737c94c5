package io.iocagent.ops;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.ConfSyntaxException;
import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.conf.Mode;
import io.iocagent.procserv.LogPosition;
import io.iocagent.systemd.JobResult;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code start}, {@code stop}, {@code restart}, {@code enable}, {@code disable} of an installed
 * IOC through systemd's D-Bus API (enable and disable by a non-root user in system mode through
 * sudo, see {@link Enablement}). Every verb checks the IOC is installed first, so a typo never
 * instantiates the template. Start and restart wait for systemd's job, then give the seed's
 * health verdict from the procServ log ({@link StartupCheck}).
 */
public final class Lifecycle {

    private static final Pattern BAKED_LOG_DIR = Pattern.compile("(?m)^ExecStart=.*--logfile=(.*)/%i\\.log ");

    /** How long a start/stop/restart job may take before we stop waiting (systemd's own default stop timeout is 90 s). */
    public static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

    private final Session session;
    private final Terminal t;

    public Lifecycle(Session session) {
        this.session = session;
        this.t = session.terminal();
    }

    /** Starts the IOC, waits for systemd's job and judges the startup; returns the unit state. */
    public UnitState start(IocName name) throws OperationException {
        return startOrRestart(name, false);
    }

    /** Restarts the IOC (starts it if stopped), waits for the job and judges the startup. */
    public UnitState restart(IocName name) throws OperationException {
        return startOrRestart(name, true);
    }

    private UnitState startOrRestart(IocName name, boolean restart) throws OperationException {
        String verb = restart ? "restart" : "start";
        Path confPath = Installed.require(session, name, verb);
        ConfFile conf = readInstalled(confPath);
        try (Progress progress = t.progress()) {
            return startOrRestart(name, restart, verb, confPath, conf, progress);
        }
    }

    private UnitState startOrRestart(IocName name, boolean restart, String verb, Path confPath, ConfFile conf,
                                     Progress progress) throws OperationException {
        UnitName unit = session.unit(name);
        if (session.mode() == Mode.LOCAL) {
            // The seed reloads before every local start: homes on NFS give the manager no inotify.
            progress.waitingFor("reloading the user manager", Duration.ZERO);
            Systemd.run(() -> session.systemd().reload(), "reload the user manager (daemon-reload)");
            warnAboutDrift(name, conf);
        }
        StartupCheck check = new StartupCheck(session);
        LogPosition baseline = check.baseline(name);
        UnitState before = Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit);
        if (restart && before.isActive()) {
            warnIfConfChangedSinceActivation(confPath, before);
        }
        progress.waitingFor("systemd's " + verb + " job for " + unit, Duration.ZERO);
        JobResult job = Systemd.call(() -> restart
                ? session.systemd().restart(unit, JOB_TIMEOUT)
                : session.systemd().start(unit, JOB_TIMEOUT), verb + " " + unit);
        if (!job.succeeded()) {
            UnitState after = Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit);
            throw OperationException.failure("systemd could not " + verb + " " + unit + " (job " + job.result()
                            + "; State: " + after.activeState() + "/" + after.subState() + ").",
                    "  -> Check logs: tail -f " + session.layout().logFile(name),
                    "  -> And systemd's view: ioc-runner " + session.modeFlag() + "status " + name);
        }
        Optional<Pattern> extra = check.extraPatterns(confPath, conf);
        if (!restart && before.isActive() && check.alreadyRunning(name, extra)
                && Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit).isActive()) {
            t.out("IOC '" + name + "' is already running.");
        } else {
            check.judge(name, unit, baseline, extra, restart && before.isActive() ? 1 : 0, progress);
        }
        return Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit);
    }

    private static ConfFile readInstalled(Path confPath) throws OperationException {
        try {
            return ConfFile.read(confPath, confPath.toString());
        } catch (IOException e) {
            throw OperationException.failure("Cannot read " + confPath + ": " + e.getMessage(),
                    "  -> Check its permissions.");
        } catch (ConfSyntaxException e) {
            throw OperationException.failure(e.getMessage(),
                    "  -> The installed file was edited by hand; fix it and run install again.");
        }
    }

    /**
     * The seed's #109 drift warnings: local paths are baked into the user template and the conf at
     * install time, so a different environment now would make the verdict watch the wrong file.
     */
    private void warnAboutDrift(IocName name, ConfFile conf) {
        Path template = session.layout().templateFile();
        try {
            Matcher baked = BAKED_LOG_DIR.matcher(Files.readString(template));
            if (baked.find() && !Path.of(baked.group(1)).equals(session.layout().logDir())) {
                t.err("Warning: LOG_DIR resolves to " + session.layout().logDir() + " but the installed user unit logs to "
                        + baked.group(1) + " (baked at install).");
                t.err("         The startup poll would watch the wrong file; export the install-time value or re-run install.");
            }
        } catch (IOException e) {
            // No readable template: systemd will say so when starting.
        }
        Optional<String> port = conf.get("IOC_PORT").filter(p -> !p.isEmpty());
        Path expected = session.layout().socketPath(name);
        if (port.isPresent() && !IocPort.socketPath(port.get()).equals(expected)) {
            t.err("Warning: the installed IOC_PORT socket (" + IocPort.socketPath(port.get())
                    + ") does not match the current RUN_DIR resolution (" + expected + ").");
            t.err("         Export the install-time IOC_RUNNER_RUN_DIR, or re-run install.");
        }
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
        JobResult job;
        try (Progress progress = t.progress()) {
            progress.waitingFor("systemd's stop job for " + unit, Duration.ZERO);
            job = Systemd.call(() -> session.systemd().stop(unit, JOB_TIMEOUT), "stop " + unit);
        }
        UnitState after = Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit);
        if (!job.succeeded()) {
            throw OperationException.failure("Stopping IOC '" + name + "' did not complete (systemd job " + job.result()
                    + "; State: " + after.activeState() + ").", "  -> Check: ioc-runner " + session.modeFlag() + "status " + name);
        }
        t.out("IOC '" + name + "' stopped (" + after.activeState() + ").");
        return after;
    }

    /** Enables the IOC to start with its manager (boot in system mode, login/linger in local mode). */
    public List<String> enable(IocName name) throws OperationException {
        return changeUnitFiles(name, "enable", true);
    }

    /** Disables the IOC: it no longer starts with its manager. */
    public List<String> disable(IocName name) throws OperationException {
        return changeUnitFiles(name, "disable", false);
    }

    /**
     * Enable or disable through this caller's {@link Enablement} route (D-Bus, or sudo in system
     * mode), printing systemctl's wording for each change on stderr; returns those lines.
     */
    private List<String> changeUnitFiles(IocName name, String verb, boolean enable) throws OperationException {
        Installed.require(session, name, verb);
        Enablement enablement = Enablement.of(session);
        UnitName unit = session.unit(name);
        List<String> changes = enable ? enablement.enable(unit) : enablement.disable(unit);
        changes.forEach(t::err);
        t.out("IOC '" + name + "' " + verb + "d.");
        return changes;
    }
}
