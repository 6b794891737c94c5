package io.iocagent.conf;

import io.iocagent.posix.Account;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every path and name a mode implies: configuration, unit, runtime and log directories, the unit
 * template, and the identity IOCs run as. Resolved once from the environment with the seed's
 * precedence: a unified {@code IOC_RUNNER_X_DIR} beats the mode's {@code IOC_RUNNER_SYSTEM_X_DIR} /
 * {@code IOC_RUNNER_LOCAL_X_DIR}, which beats the default.
 *
 * <p>The unit template name is configurable ({@code IOC_RUNNER_UNIT_TEMPLATE}, default
 * {@code epics-@}) so a test run or a second installation can use its own template without ever
 * touching {@code epics-@NAME.service} units.
 *
 * @param mode           system or local
 * @param confDir        where {@code NAME.conf} files live
 * @param systemdDir     where the unit template is (system) or is deployed (local)
 * @param runDir         parent of the per-IOC socket directories ({@code RUN_DIR/NAME/control})
 * @param logDir         where procServ writes {@code NAME.log}
 * @param templatePrefix unit name up to and including '@', e.g. {@code epics-@}
 * @param identity       the user and group IOCs of this mode run as
 */
public record Layout(Mode mode, Path confDir, Path systemdDir, Path runDir, Path logDir,
                     String templatePrefix, Identity identity) {

    /** Runtime directory the system template fixes through {@code RuntimeDirectory=procserv/%i}. */
    public static final Path SYSTEM_RUN_DIR = Path.of("/run/procserv");
    public static final String DEFAULT_TEMPLATE_PREFIX = "epics-@";
    public static final String DEFAULT_SYSTEM_USER = "ioc-srv";
    public static final String DEFAULT_SYSTEM_GROUP = "ioc";

    private static final Pattern TEMPLATE_PREFIX = Pattern.compile("[A-Za-z0-9_.:-]+@");

    /**
     * Resolves the layout of {@code mode} for {@code account} from {@code env}.
     *
     * @throws LayoutException when {@code IOC_RUNNER_UNIT_TEMPLATE} is not a valid template prefix
     */
    public static Layout resolve(Mode mode, Map<String, String> env, Account account) {
        Path home = account.home();
        boolean system = mode == Mode.SYSTEM;
        String xdgState = nonEmpty(env.get("XDG_STATE_HOME")).orElse(home + "/.local/state");
        Path confDir = pick(env, "CONF_DIR", mode, "/etc/procServ.d", home + "/.config/procServ.d");
        Path systemdDir = pick(env, "SYSTEMD_DIR", mode, "/etc/systemd/system", home + "/.config/systemd/user");
        Path runDir = pick(env, "RUN_DIR", mode, SYSTEM_RUN_DIR.toString(), "/run/user/" + account.uid() + "/procserv");
        Path logDir = pick(env, "LOG_DIR", mode, "/var/log/procserv", xdgState + "/procserv");
        String prefix = nonEmpty(env.get("IOC_RUNNER_UNIT_TEMPLATE")).orElse(DEFAULT_TEMPLATE_PREFIX);
        if (!TEMPLATE_PREFIX.matcher(prefix).matches()) {
            throw new LayoutException("IOC_RUNNER_UNIT_TEMPLATE '" + prefix + "' is not a unit template prefix.",
                    "Use letters, digits, '_', '.', ':' or '-', ending with '@' (default: epics-@).");
        }
        Identity identity = system
                ? new Identity(nonEmpty(env.get("IOC_RUNNER_SYSTEM_USER")).orElse(DEFAULT_SYSTEM_USER),
                        nonEmpty(env.get("IOC_RUNNER_SYSTEM_GROUP")).orElse(DEFAULT_SYSTEM_GROUP))
                : new Identity(account.user(), account.group());
        return new Layout(mode, confDir, systemdDir, runDir, logDir, prefix, identity);
    }

    /**
     * The seed's post-parse guards on the resolved layout, in its order.
     *
     * @throws LayoutException for a system runtime directory other than {@code /run/procserv}, or a
     *                         configuration directory that is relative or contains whitespace
     */
    public void check() {
        if (mode == Mode.SYSTEM && !runDir.equals(SYSTEM_RUN_DIR)) {
            throw new LayoutException("system-mode runtime dir (" + runDir + ") diverges from the fixed systemd",
                    "       RuntimeDirectory (/run/procserv); the socket path and the runner",
                    "       would split, breaking list/attach/remove/inspect.",
                    "       Unset IOC_RUNNER_RUN_DIR / IOC_RUNNER_SYSTEM_RUN_DIR, or use --local.");
        }
        if (!isPlainAbsolute(confDir.toString())) {
            throw new LayoutException("resolved configuration directory '" + confDir
                    + "' must be an absolute path with no whitespace.",
                    "       Set IOC_RUNNER_CONF_DIR / IOC_RUNNER_LOCAL_CONF_DIR / IOC_RUNNER_SYSTEM_CONF_DIR accordingly.");
        }
    }

    /**
     * The seed's non-fatal warnings about log directory overrides, each a block of lines.
     * In system mode procServ writes where the template says, whatever the runner scans; in local
     * mode the directory is baked into the user template at install time.
     */
    public List<List<String>> logDirWarnings(Map<String, String> env) {
        List<List<String>> warnings = new ArrayList<>();
        String unified = env.get("IOC_RUNNER_LOG_DIR");
        if (mode == Mode.SYSTEM) {
            String systemLog = nonEmpty(env.get("IOC_RUNNER_SYSTEM_LOG_DIR")).orElse("/var/log/procserv");
            if (unified != null && !unified.isEmpty() && !unified.equals(systemLog)) {
                warnings.add(List.of(
                        "Warning: IOC_RUNNER_LOG_DIR (" + unified + ") differs from SYSTEM_LOG_DIR (" + systemLog + ").",
                        "         The runner scans the override for startup verdicts, but procServ writes",
                        "         the log under SYSTEM_LOG_DIR as baked into the system template.",
                        "         Use --local for custom paths."));
            }
        } else if (env.containsKey("IOC_RUNNER_LOG_DIR") || env.containsKey("IOC_RUNNER_LOCAL_LOG_DIR")) {
            warnings.add(List.of(
                    "Warning: the local log directory (" + logDir + "), set via IOC_RUNNER_LOG_DIR or",
                    "         IOC_RUNNER_LOCAL_LOG_DIR, is baked into the user unit's --logfile at install.",
                    "         Export the same value at start/restart, or the startup check watches",
                    "         a file procServ does not write."));
        }
        return warnings;
    }

    /** {@code CONF_DIR/NAME.conf}. */
    public Path confFile(IocName name) {
        return confDir.resolve(name.value() + ".conf");
    }

    /** {@code LOG_DIR/NAME.log}, the procServ log the health checks read. */
    public Path logFile(IocName name) {
        return logDir.resolve(name.value() + ".log");
    }

    /** {@code RUN_DIR/NAME}, the unit's runtime directory holding the console socket. */
    public Path socketDir(IocName name) {
        return runDir.resolve(name.value());
    }

    /** {@code RUN_DIR/NAME/control}, the standard console socket. */
    public Path socketPath(IocName name) {
        return socketDir(name).resolve("control");
    }

    /** The template unit file name, e.g. {@code epics-@.service}. */
    public String templateFileName() {
        return templatePrefix + ".service";
    }

    /** {@code SYSTEMD_DIR/<template>.service}. */
    public Path templateFile() {
        return systemdDir.resolve(templateFileName());
    }

    /** True for an absolute path without whitespace: safe to bake into unit files and globs. */
    public static boolean isPlainAbsolute(String path) {
        return path.startsWith("/") && path.chars().noneMatch(Character::isWhitespace);
    }

    private static Path pick(Map<String, String> env, String what, Mode mode, String systemDefault, String localDefault) {
        Optional<String> unified = nonEmpty(env.get("IOC_RUNNER_" + what));
        Optional<String> namespaced = nonEmpty(env.get("IOC_RUNNER_" + (mode == Mode.SYSTEM ? "SYSTEM_" : "LOCAL_") + what));
        return Path.of(unified.or(() -> namespaced).orElse(mode == Mode.SYSTEM ? systemDefault : localDefault));
    }

    private static Optional<String> nonEmpty(String value) {
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }
}
