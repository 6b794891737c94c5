package io.iocagent.ops;

import io.iocagent.conf.Mode;
import io.iocagent.systemd.UnitFileChange;
import io.iocagent.systemd.UnitName;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How this caller enables and disables IOC units — the one place that decides it.
 *
 * <p>Enabling writes a symlink into {@code multi-user.target.wants}; over D-Bus that needs polkit's
 * {@code org.freedesktop.systemd1.manage-unit-files}, which systemd's policy declares to imply
 * {@code manage-units} for every unit: a YES to it is a root grant, so the shipped polkit rule never
 * gives it (docs/security.md). Hence three routes:
 * <ul>
 *   <li>{@link Route#BUS}: local mode (the caller's own user manager) and root — D-Bus
 *       {@code EnableUnitFiles}/{@code DisableUnitFiles};</li>
 *   <li>{@link Route#SUDO}: the command line of a non-root user in system mode — exactly
 *       {@code sudo -n /usr/bin/systemctl enable|disable epics-@NAME.service}, the commands the
 *       sudoers policy {@code /etc/sudoers.d/10-epics-ioc} (and epics-ioc-runner's) allows group
 *       {@code ioc} without a password;</li>
 *   <li>{@link Route#REFUSED}: the agent in system mode, not root — it never escalates on behalf
 *       of remote callers (its unit sets {@code NoNewPrivileges=yes}); the error names the
 *       command line's command instead.</li>
 * </ul>
 */
public final class Enablement {

    /** The route of one caller; see the class comment. */
    public enum Route { BUS, SUDO, REFUSED }

    static final String SUDO = "/usr/bin/sudo";
    /** The path the sudoers policy names; sudo matches it literally. */
    static final String SYSTEMCTL = "/usr/bin/systemctl";
    /** systemctl enable reloads the manager; it never takes long. */
    static final Duration SUDO_TIMEOUT = Duration.ofSeconds(120);

    private final Session session;
    private final Route route;
    private final String sudo;

    private Enablement(Session session, Route route, String sudo) {
        this.session = session;
        this.route = route;
        this.sudo = sudo;
    }

    /** The route for {@code session}'s caller. */
    public static Enablement of(Session session) {
        return new Enablement(session, routeOf(session.mode(), session.account().isRoot(), session.mayRunSudo()), SUDO);
    }

    /** As {@link #of(Session)}, with another sudo executable (tests). */
    static Enablement of(Session session, String sudo) {
        return new Enablement(session, routeOf(session.mode(), session.account().isRoot(), session.mayRunSudo()), sudo);
    }

    static Route routeOf(Mode mode, boolean root, boolean mayRunSudo) {
        if (mode == Mode.LOCAL || root) {
            return Route.BUS;
        }
        return mayRunSudo ? Route.SUDO : Route.REFUSED;
    }

    public Route route() {
        return route;
    }

    /**
     * Enables {@code unit}.
     *
     * @return the changes in systemctl's words ({@code Created symlink … → ….}), empty when it already was
     */
    List<String> enable(UnitName unit) throws OperationException {
        return change(unit, true);
    }

    /** Disables {@code unit}; see {@link #enable(UnitName)} ({@code Removed "…".}). */
    List<String> disable(UnitName unit) throws OperationException {
        return change(unit, false);
    }

    private List<String> change(UnitName unit, boolean enable) throws OperationException {
        String verb = enable ? "enable" : "disable";
        return switch (route) {
            case BUS -> Systemd.call(() -> enable ? session.systemd().enable(unit) : session.systemd().disable(unit),
                    verb + " " + unit).stream().map(UnitFileChange::describe).toList();
            case SUDO -> throughSudo(verb, unit);
            case REFUSED -> throw refusal(verb, unit);
        };
    }

    /** The agent's answer in system mode: what to run instead. */
    OperationException refusal(String verb, UnitName unit) {
        return OperationException.failure("The agent does not " + verb + " IOC units in system mode (" + unit + ").",
                "  -> Unit-file changes need root, and the agent never escalates: polkit's manage-unit-files would"
                        + " let it act on every unit, so it is not granted (docs/security.md).",
                "  -> As a member of group '" + session.layout().identity().group() + "' on this host, run: ioc-runner "
                        + verb + " " + unit.name() + "   (uses: sudo " + SYSTEMCTL + " " + verb + " " + unit + ")");
    }

    /** Runs the sudoers command; returns what systemctl printed. */
    private List<String> throughSudo(String verb, UnitName unit) throws OperationException {
        List<String> command = List.of(sudo, "-n", SYSTEMCTL, verb, unit.toString());
        String shown = "sudo " + SYSTEMCTL + " " + verb + " " + unit;
        if (!Files.isExecutable(Path.of(sudo))) {
            throw OperationException.failure("Cannot " + verb + " " + unit + ": " + sudo + " not found.",
                    "  -> In system mode a non-root user " + verb + "s IOC units through sudo (docs/security.md);"
                            + " install sudo (package sudo) and run setup-system-infra --full, or run this as root.");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        String output;
        int exit;
        try {
            Process p = pb.start();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(SUDO_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw OperationException.failure("'" + shown + "' did not finish within " + SUDO_TIMEOUT.toSeconds() + " s.",
                        "  -> Check the manager: systemctl status " + unit);
            }
            exit = p.exitValue();
        } catch (IOException e) {
            throw OperationException.failure("Cannot run '" + shown + "': " + e.getMessage(),
                    "  -> Run it by hand, or run this command as root.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OperationException.failure("Interrupted while waiting for '" + shown + "'.");
        }
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        if (exit == 0) {
            return lines;
        }
        String group = session.layout().identity().group();
        if (!lines.isEmpty() && lines.get(0).startsWith("sudo:") || lines.stream().anyMatch(l -> l.startsWith("Sorry, user "))) {
            throw OperationException.failure(1, "sudo refused '" + shown + "' (" + String.join(" ", lines) + ").", List.of(
                    "  -> In system mode enabling and disabling need root; members of group '" + group + "' may run exactly"
                            + " this command without a password (/etc/sudoers.d/10-epics-ioc, installed by"
                            + " setup-system-infra --full).",
                    "  -> Check: 'id -nG' lists " + group + " (after 'usermod -aG " + group + " " + session.account().user()
                            + "', log in again) and 'sudo -l' shows the policy; or ask an administrator to run: " + shown));
        }
        throw OperationException.failure(1, "systemctl could not " + verb + " " + unit + " (exit " + exit + ").",
                lines.stream().map(l -> "    " + l).toList());
    }
}
