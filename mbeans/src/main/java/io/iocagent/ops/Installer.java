package io.iocagent.ops;

import io.iocagent.conf.AtomicFiles;
import io.iocagent.conf.ChdirConformance;
import io.iocagent.conf.ConfFile;
import io.iocagent.conf.ConfSyntaxException;
import io.iocagent.conf.ConfText;
import io.iocagent.conf.ConfValidator;
import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code install FILE|DIR}: validates a configuration and installs it as
 * {@code CONF_DIR/NAME.conf}, passing the seed's gates in its order — name, validation,
 * system-mode IOC_CHDIR checks, template present, unit not running, IOC_PORT normalisation,
 * directory writable, overwrite prompt — before anything is written. The write is atomic
 * (same-directory stage, fsync, rename): a kill at any instant leaves the old file or the new one.
 * Local mode then deploys the shared user template and log rotation, diff-aware; systemd is
 * reloaded only when a unit file changed (always in system mode, as the seed does). Install never
 * starts or enables the IOC.
 */
public final class Installer {

    private final Session session;
    private final Terminal t;

    public Installer(Session session) {
        this.session = session;
        this.t = session.terminal();
    }

    /** Installs the configuration {@code target} names; returns the installed IOC's name. */
    public IocName install(String target) throws OperationException {
        Layout layout = session.layout();
        Path source = resolveSource(target);
        String nameText = IocName.baseName(source.getFileName().toString());
        if (!IocName.isValid(nameText)) {
            throw OperationException.failure(IocName.invalidMessage(nameText, false),
                    "  -> The IOC name is the file name without .conf; rename the file.");
        }
        IocName name = new IocName(nameText);

        String text = read(source, session.files());
        ConfFile conf = Validation.require(session, text, source.toString());

        if (session.mode() == Mode.SYSTEM) {
            checkSystemChdir(conf.get("IOC_CHDIR").orElse(""));
        }
        if (session.mode() == Mode.SYSTEM && !Files.exists(layout.templateFile())) {
            throw OperationException.failure("Systemd template " + layout.templateFile() + " not found.",
                    "Please ensure the template is deployed by an administrator before installing IOCs.");
        }
        if (session.mode() == Mode.LOCAL && !Layout.isPlainAbsolute(layout.logDir().toString())) {
            throw OperationException.failure("resolved local log directory '" + layout.logDir()
                            + "' must be an absolute path with no whitespace.",
                    "       It is baked into the user unit's --logfile and the logrotate glob.",
                    "       Set IOC_RUNNER_LOG_DIR / IOC_RUNNER_LOCAL_LOG_DIR or XDG_STATE_HOME accordingly.");
        }
        refuseWhileRunning(name);
        String port = normalisePort(conf, name);
        Path confDir = prepareConfDir();
        Path targetFile = layout.confFile(name);
        if (Files.exists(targetFile)) {
            if (session.force()) {
                t.out("Info: Overwriting existing configuration file '" + targetFile + "' (--force).");
            } else {
                t.out("Warning: Configuration file '" + targetFile + "' already exists.");
                Prompts.confirm(t, "Do you want to overwrite it? [y/N]: ", "installation");
            }
        }

        LocalAssets assets = session.mode() == Mode.LOCAL ? LocalAssets.forInstall(session) : null;
        byte[] installed = ConfText.installed(text, port).getBytes(StandardCharsets.UTF_8);
        try {
            AtomicFiles.write(targetFile, installed, session.mode() == Mode.SYSTEM
                    ? PosixFilePermissions.fromString("rw-rw----") : PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw OperationException.failure("Cannot write " + targetFile + ": " + e.getMessage(),
                    "  -> Check free space and the permissions of " + confDir + ".");
        }

        boolean unitsChanged = assets == null || assets.deploy();
        if (unitsChanged && assets == null) {
            Systemd.run(() -> session.systemd().reload(), "reload systemd (daemon-reload)");
        } else if (unitsChanged) {
            reloadUserManager();
        }
        t.out("IOC " + name + " installed in " + session.mode().label() + " mode. Use 'start' command to run it.");
        return name;
    }

    /**
     * Local mode reloads as the seed does ({@code daemon-reload || true}): the configuration and the
     * unit files are in place by now, so a manager that cannot reload is a warning, not a failure
     * that would leave the caller guessing what was installed.
     */
    private void reloadUserManager() {
        try {
            Systemd.run(() -> session.systemd().reload(), "reload the user manager (daemon-reload)");
        } catch (OperationException e) {
            t.err("Warning: " + e.getMessage());
            t.err("  -> The configuration and unit files are installed; run 'systemctl --user daemon-reload' before 'start'.");
        }
    }

    private Path resolveSource(String target) throws OperationException {
        Path path = Path.of(target);
        if (Files.isDirectory(path)) {
            Path abs = path.toAbsolutePath().normalize();
            String dirName = abs.getFileName() == null ? "" : abs.getFileName().toString();
            Path conf = abs.resolve(dirName + ".conf");
            if (!Files.isRegularFile(conf)) {
                throw OperationException.failure("Configuration file '" + dirName + ".conf' not found in directory '"
                        + target + "'.", "Hint: Did you run 'ioc-runner " + session.modeFlag() + "generate " + target + "' first?");
            }
            return conf;
        }
        if (!Files.isRegularFile(path)) {
            throw OperationException.failure("Target '" + target + "' is neither a valid directory nor a configuration file.",
                    "  -> Give NAME.conf, or the iocBoot directory holding it.");
        }
        return path;
    }

    private static String read(Path source, CallerFiles files) throws OperationException {
        byte[] bytes = files.readConf(source);
        try {
            return ConfFile.decode(bytes, source.toString());
        } catch (ConfSyntaxException e) {
            throw OperationException.failure(e.getMessage(), "  -> Save the file as UTF-8 text.");
        }
    }

    /** System mode: a '..' component is a hard error; a non-conforming tree needs confirmation. */
    private void checkSystemChdir(String chdir) throws OperationException {
        if (ConfValidator.hasDotDotComponent(chdir)) {
            throw OperationException.failure("IOC_CHDIR '" + chdir + "' contains a '..' component.",
                    "       System IOCs must name their iocBoot directory directly (no '..'),",
                    "       so the service account's access can be checked. --force does not bypass this.");
        }
        String user = session.layout().identity().user();
        String group = session.layout().identity().group();
        if (ChdirConformance.conformsToSystemModel(Path.of(chdir), group)) {
            return;
        }
        t.err("Warning: IOC_CHDIR '" + chdir + "' is not writable by '" + user + "'.");
        t.err("         System IOCs should live in a tree like /opt/epics-iocs/ that is group-owned by");
        t.err("         '" + group + "' with setgid (2775), with every parent traversable, so the IOC can write");
        t.err("         .iocsh_history, autosave files and the like. See the FAQ (Q5/Q6).");
        t.err("         Tip: EPICS_IOCSH_HISTFILE=\"\" in the conf stops the IOC writing .iocsh_history.");
        if (!session.force()) {
            Prompts.confirm(t, "         Proceed anyway? [y/N]: ", "installation");
        }
    }

    private void refuseWhileRunning(IocName name) throws OperationException {
        UnitName unit = session.unit(name);
        UnitState state = Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit);
        if (state.isRunning()) {
            t.err(Session.DIVIDER);
            t.err("Error: Operation aborted. Service '" + unit + "' is currently '" + state.activeState() + "'.");
            t.err("Please stop the service explicitly and wait for it to become inactive.");
            t.err("  -> ioc-runner " + session.modeFlag() + "stop " + name);
            t.err(Session.DIVIDER);
            throw OperationException.alreadyReported("Install refused: " + unit + " is " + state.activeState());
        }
    }

    private String normalisePort(ConfFile conf, IocName name) throws OperationException {
        Layout layout = session.layout();
        String standard = IocPort.standard(layout.identity(), layout.runDir(), name);
        IocPort.Normalization n = IocPort.normalize(session.mode(), conf.get("IOC_PORT").orElse(""), standard);
        switch (n.outcome()) {
            case MISMATCH -> throw OperationException.failure(n.message(),
                    "  -> Leave IOC_PORT empty (IOC_PORT=\"\") and install fills in the standard socket.");
            case REPLACED -> t.err("Warning: " + n.message());
            default -> {
            }
        }
        return n.port();
    }

    private Path prepareConfDir() throws OperationException {
        Layout layout = session.layout();
        Path dir = layout.confDir();
        if (!Files.isDirectory(dir)) {
            if (session.mode() == Mode.SYSTEM) {
                throw OperationException.failure("System configuration directory " + dir + " does not exist.",
                        "Please ask an administrator to run the setup script (deploy/setup).");
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw OperationException.failure("Cannot create " + dir + ": " + e.getMessage(),
                        "  -> Create it yourself or set IOC_RUNNER_LOCAL_CONF_DIR.");
            }
        }
        if (!Files.isWritable(dir)) {
            if (session.mode() == Mode.SYSTEM) {
                throw OperationException.failure("No write permission to " + dir + ". Are you in the '"
                        + layout.identity().group() + "' group?", "  -> Ask an administrator: usermod -aG "
                        + layout.identity().group() + " " + session.account().user());
            }
            throw OperationException.failure("No write permission to " + dir + ".",
                    "  -> Fix its permissions or set IOC_RUNNER_LOCAL_CONF_DIR to a directory you own.");
        }
        return dir;
    }
}
