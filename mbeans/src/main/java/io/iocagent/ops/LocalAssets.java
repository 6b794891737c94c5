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
 * <p>The files go into the unit directory and nowhere else, as the seed's do. When that directory
 * is not on the user manager's unit search path (an {@code IOC_RUNNER_(LOCAL_)SYSTEMD_DIR}
 * override, or a {@code $HOME} other than the manager's), nothing is linked into the user's real
 * unit directory — a link would outlive its target, shadow or be shadowed by a template already
 * there ({@code UnitExists}) and pin the first such directory for good — and a warning says that
 * systemd will not load the template from there, and which file it loads instead, if any. The
 * search path is read by {@link #forInstall} before the install writes anything, so a manager that
 * cannot answer leaves nothing half-written.
 */
final class LocalAssets {

    private static final DateTimeFormatter BACKUP_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss");
    private static final int BACKUPS_KEPT = 3;

    private final Session session;
    private final Terminal t;
    private final Layout layout;
    private final List<Path> searchPath;

    private LocalAssets(Session session, List<Path> searchPath) {
        this.session = session;
        this.t = session.terminal();
        this.layout = session.layout();
        this.searchPath = searchPath;
    }

    /** Reads what deploying needs from the user manager (its unit search path); call before writing anything. */
    static LocalAssets forInstall(Session session) throws OperationException {
        List<Path> searchPath = Systemd.call(() -> session.systemd().unitSearchPath(), "read the unit search path");
        return new LocalAssets(session, searchPath.stream().map(p -> p.toAbsolutePath().normalize()).toList());
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
        boolean offSearchPath = !searchPath.contains(unitDir());
        boolean changed = deployTemplate();
        changed |= deployRotation(offSearchPath);
        loadedTemplateNote(offSearchPath);
        lingerNote();
        return changed;
    }

    private Path unitDir() {
        return layout.systemdDir().toAbsolutePath().normalize();
    }

    private boolean deployTemplate() throws OperationException {
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
        return changed;
    }

    /**
     * Says when systemd will not use the template just deployed: the unit directory is off its
     * search path, or a directory before it on the path holds a file of the same name.
     */
    private void loadedTemplateNote(boolean offSearchPath) {
        String name = layout.templateFile().getFileName().toString();
        Optional<Path> loaded = searchPath.stream()
                .takeWhile(dir -> !dir.equals(unitDir()))
                .map(dir -> dir.resolve(name))
                .filter(Files::exists)
                .findFirst();
        if (!offSearchPath && loaded.isEmpty()) {
            return;
        }
        if (offSearchPath) {
            t.err("Warning: " + unitDir() + " is not on the user manager's unit search path;");
            t.err("         nothing was linked into it, so systemd does not load " + name + " from there");
            t.err(loaded.map(f -> "         (it uses " + f + ", which this install did not change).")
                    .orElse("         and 'start' will find no " + layout.templatePrefix() + "NAME.service unit."));
            t.err("         The log rotation units there are not enabled either.");
            t.err("  -> Use the manager's unit directory (unset IOC_RUNNER_SYSTEMD_DIR / IOC_RUNNER_LOCAL_SYSTEMD_DIR,");
            t.err("     with HOME as the user manager's), or put this directory on its search path yourself.");
        } else {
            t.err("Warning: systemd loads " + name + " from " + loaded.get() + ", which comes before "
                    + unitDir() + " on its unit search path; the template written here is not used.");
            t.err("  -> Remove or update " + loaded.get() + " if the IOCs should use this one.");
        }
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
            enableRotation(timer, offSearchPath);
            return changed;
        } catch (IOException e) {
            t.err("Warning: local log rotation not installed: " + e.getMessage());
            return false;
        }
    }

    /**
     * Enables the rotation timer the way {@code systemctl enable} does — a symlink in
     * {@code timers.target.wants} of the unit directory, which the manager reads since the directory
     * is on its search path — without asking systemd to operate a unit that is not an IOC's. The
     * timer then runs from the user manager's next start; a note says how to start it now. Off the
     * search path nothing is enabled (the warning about the template says so).
     */
    private void enableRotation(Path timer, boolean offSearchPath) throws IOException {
        if (offSearchPath) {
            return;
        }
        if (symlink(layout.systemdDir().resolve("timers.target.wants").resolve(timer.getFileName()), timer)) {
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

    private void lingerNote() {
        String user = session.account().user();
        if (!Files.exists(Path.of("/var/lib/systemd/linger", user))) {
            t.err("Note: user lingering is off; 'loginctl enable-linger " + user
                    + "' to run IOCs and log rotation while logged out.");
        }
    }
}
