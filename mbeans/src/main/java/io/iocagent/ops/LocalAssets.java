package io.iocagent.ops;

import io.iocagent.conf.AtomicFiles;
import io.iocagent.conf.Layout;
import io.iocagent.conf.UnitTemplates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The assets every local-mode IOC of a user shares: the user unit template and the log rotation
 * configuration with its service and timer. Deployed by {@code --local install} only after every
 * gate passed, and diff-aware: absent → written; identical → untouched; different → kept unless
 * {@code --force} or a {@code y} typed at a terminal (never fails the install).
 *
 * <p>When the unit directory is not on the user manager's unit search path (an
 * {@code IOC_RUNNER_LOCAL_SYSTEMD_DIR} override), the template is linked into the manager, which
 * is what {@code systemctl --user link} does, so its instances can start.
 */
final class LocalAssets {

    private static final DateTimeFormatter BACKUP_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss");
    private static final int BACKUPS_KEPT = 3;

    private final Session session;
    private final Terminal t;
    private final Layout layout;

    LocalAssets(Session session) {
        this.session = session;
        this.t = session.terminal();
        this.layout = session.layout();
    }

    /** Deploys what is missing or confirmed; returns true when a unit file changed (reload needed). */
    boolean deploy() throws OperationException {
        try {
            Files.createDirectories(layout.logDir());
            Files.setPosixFilePermissions(layout.logDir(), PosixFilePermissions.fromString("rwxr-x---"));
        } catch (IOException e) {
            throw OperationException.failure("Cannot create the log directory " + layout.logDir() + ": " + e.getMessage(),
                    "  -> Create it yourself or set IOC_RUNNER_LOCAL_LOG_DIR.");
        }
        boolean offSearchPath = !onManagerSearchPath(layout.systemdDir());
        boolean changed = deployTemplate(offSearchPath);
        changed |= deployRotation(offSearchPath);
        lingerNote();
        return changed;
    }

    private boolean deployTemplate(boolean offSearchPath) throws OperationException {
        Path procServ = ProcServBinary.resolve(session);
        Path template = layout.templateFile();
        String text = UnitTemplates.local(layout.confDir(), layout.logDir(), procServ);
        boolean changed;
        try {
            Files.createDirectories(layout.systemdDir());
            changed = place(template, text, "user systemd template", "user-level systemd template");
        } catch (IOException e) {
            throw OperationException.failure("Unable to deploy the user systemd template " + template + ": " + e.getMessage(),
                    "  -> The configuration is installed; fix the permissions of " + layout.systemdDir()
                            + " and run install again.");
        }
        if (offSearchPath) {
            linkTemplate(template);
        }
        return changed;
    }

    /**
     * Places {@code text} at {@code file}: absent → write; identical → nothing; different → ask.
     *
     * @return true when the file was written
     */
    private boolean place(Path file, String text, String what, String label) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (!Files.exists(file)) {
            AtomicFiles.write(file, bytes, PosixFilePermissions.fromString("rw-------"));
            t.out("Deployed " + label + " to " + file + ".");
            return true;
        }
        if (AtomicFiles.sameContent(file, bytes)) {
            return false;
        }
        if (!decideUpdate(what)) {
            return false;
        }
        backUp(file);
        AtomicFiles.write(file, bytes, PosixFilePermissions.fromString("rw-------"));
        t.out("Updated " + label + " at " + file + ".");
        return true;
    }

    /** The seed's {@code decide_shared_asset_update}: keep unless forced or confirmed at a terminal. */
    private boolean decideUpdate(String what) {
        if (session.force()) {
            t.err("Info: Updating " + what + " (--force).");
            return true;
        }
        t.err("Notice: the installed " + what + " differs from the shipped version.");
        List<String> active = activeUnits();
        if (!active.isEmpty()) {
            t.err("  Updating it changes the unit shared by these running IOC services:");
            t.err("    " + String.join(" ", active));
        }
        if (!t.interactive()) {
            t.err("  Non-interactive; keeping the existing " + what + " (use --force to update).");
            return false;
        }
        Optional<String> answer = t.ask("  Update it now? [y/N]: ");
        if (answer.isEmpty()) {
            t.err("");
            t.err("  Input stream closed; keeping the existing " + what + ".");
            return false;
        }
        if (Prompts.isYes(answer.get())) {
            return true;
        }
        t.err("  Keeping the existing " + what + ".");
        return false;
    }

    private List<String> activeUnits() {
        try {
            return session.systemd().listUnits(layout.templatePrefix()).values().stream()
                    .filter(u -> u.activeState().equals("active"))
                    .map(u -> u.unit().toString())
                    .sorted()
                    .toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private void backUp(Path file) throws IOException {
        Path backup = file.resolveSibling(file.getFileName() + ".bak." + LocalDateTime.now().format(BACKUP_STAMP));
        Files.copy(file, backup, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        t.out("Backed up existing " + file.getFileName() + " to " + backup);
        String prefix = file.getFileName() + ".bak.";
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            List<Path> backups = siblings.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .sorted(Comparator.comparing(LocalAssets::mtime).reversed())
                    .toList();
            for (Path old : backups.subList(Math.min(BACKUPS_KEPT, backups.size()), backups.size())) {
                Files.deleteIfExists(old);
            }
        }
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** True when the user manager loads units from {@code dir} without a link. */
    private boolean onManagerSearchPath(Path dir) throws OperationException {
        List<Path> searchPath = Systemd.call(() -> session.systemd().unitSearchPath(), "read the unit search path");
        Path normal = dir.toAbsolutePath().normalize();
        return searchPath.stream().anyMatch(p -> p.toAbsolutePath().normalize().equals(normal));
    }

    private void linkTemplate(Path template) throws OperationException {
        if (Files.isSymbolicLink(userConfigUnitDir().resolve(template.getFileName()))) {
            return;
        }
        Systemd.run(() -> session.systemd().linkUnitFile(template, false), "link " + template + " into the user manager");
        t.out("Linked " + template + " into the user manager (" + template.getParent()
                + " is not on its unit search path).");
    }

    /**
     * Local log rotation (the seed's {@code deploy_local_logrotate}): best effort, never aborts the
     * install. Returns true when a unit file changed.
     */
    private boolean deployRotation(boolean offSearchPath) {
        Optional<Path> logrotate = findLogrotate();
        if (logrotate.isEmpty()) {
            t.err("Warning: 'logrotate' not found; local log rotation is NOT installed.");
            t.err("         A crash-looping IOC can then grow " + layout.logDir() + " without bound.");
            t.err("         Install the 'logrotate' package and run install again.");
            return false;
        }
        Path cfgDir = layout.confDir().getParent().resolve("ioc-runner");
        String stem = layout.templatePrefix().substring(0, layout.templatePrefix().length() - 1) + "logrotate";
        Path cfg = cfgDir.resolve("logrotate.conf");
        Path service = layout.systemdDir().resolve(stem + ".service");
        Path timer = layout.systemdDir().resolve(stem + ".timer");
        String cfgText = UnitTemplates.localLogrotateConf(layout.logDir());
        try {
            Files.createDirectories(cfgDir);
            Files.setPosixFilePermissions(cfgDir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            t.err("Warning: cannot create " + cfgDir + " or " + layout.systemdDir() + "; rotation not installed.");
            return false;
        }
        Optional<String> invalid = validateRotation(logrotate.get(), cfgDir, cfgText);
        if (invalid.isPresent()) {
            t.err("Warning: the local logrotate configuration did not validate; rotation not installed.");
            invalid.get().lines().limit(5).forEach(l -> t.err("         " + l));
            return false;
        }
        try {
            boolean changed = place(cfg, cfgText, "logrotate configuration", "local logrotate configuration");
            changed |= place(service, UnitTemplates.localLogrotateService(logrotate.get(), cfgDir),
                    "logrotate service unit", "local logrotate service");
            changed |= place(timer, UnitTemplates.localLogrotateTimer(), "logrotate timer unit", "local logrotate timer");
            enableRotation(service, timer, offSearchPath);
            return changed;
        } catch (IOException e) {
            t.err("Warning: local log rotation not installed: " + e.getMessage());
            return false;
        }
    }

    /**
     * Enables the rotation timer the way {@code systemctl link} and {@code enable} do — symlinks in
     * the user's unit directory and its {@code timers.target.wants} — without asking systemd to
     * operate a unit that is not an IOC's. The timer then runs from the user manager's next start;
     * a note says how to start it now.
     */
    private void enableRotation(Path service, Path timer, boolean offSearchPath) throws IOException {
        Path config = userConfigUnitDir();
        if (offSearchPath) {
            for (Path unit : List.of(service, timer)) {
                symlink(config.resolve(unit.getFileName()), unit);
            }
        }
        if (symlink(config.resolve("timers.target.wants").resolve(timer.getFileName()), timer)) {
            t.out("Enabled " + timer.getFileName() + " (hourly local log rotation).");
            t.err("Note: start it now with 'systemctl --user start " + timer.getFileName()
                    + "' (it starts by itself with your user manager).");
        }
    }

    /** Creates {@code link} pointing at {@code target} unless something is there; true if created. */
    private static boolean symlink(Path link, Path target) throws IOException {
        if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, target.toAbsolutePath());
        return true;
    }

    private Optional<String> validateRotation(Path logrotate, Path cfgDir, String cfgText) {
        Path cfg = null;
        Path state = null;
        try {
            cfg = Files.createTempFile(cfgDir, ".logrotate.conf.", ".check");
            state = Files.createTempFile(cfgDir, ".logrotate.state.", ".check");
            Files.writeString(cfg, cfgText);
            Process p = new ProcessBuilder(logrotate.toString(), "-d", "--state", state.toString(), cfg.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("logrotate -d did not finish within 30 s");
            }
            return p.exitValue() == 0 ? Optional.empty() : Optional.of(out);
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } finally {
            for (Path p : new Path[] {cfg, state}) {
                if (p != null) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // a stray .check file in our own 0700 directory is harmless
                    }
                }
            }
        }
    }

    private Optional<Path> findLogrotate() {
        Map<String, String> env = session.env();
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(env.get("IOC_RUNNER_LOGROTATE_TOOL")).filter(s -> !s.isEmpty()).map(Path::of).ifPresent(candidates::add);
        candidates.addAll(List.of(Path.of("/usr/sbin/logrotate"), Path.of("/sbin/logrotate"), Path.of("/usr/bin/logrotate")));
        session.searchPath().forEach(d -> candidates.add(d.resolve("logrotate")));
        return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    /** The user manager's persistent unit directory, where {@code link} and {@code enable} put links. */
    private Path userConfigUnitDir() {
        String xdg = session.env().get("XDG_CONFIG_HOME");
        Path config = xdg == null || xdg.isEmpty() ? session.account().home().resolve(".config") : Path.of(xdg);
        return config.resolve("systemd/user").toAbsolutePath().normalize();
    }

    private void lingerNote() {
        String user = session.account().user();
        if (!Files.exists(Path.of("/var/lib/systemd/linger", user))) {
            t.err("Note: user lingering is off; 'loginctl enable-linger " + user
                    + "' to run IOCs and log rotation while logged out.");
        }
    }
}
