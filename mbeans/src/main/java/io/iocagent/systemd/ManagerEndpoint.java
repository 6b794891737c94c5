package io.iocagent.systemd;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Which systemd manager {@link SystemdBus} talks to, and how to explain failures in talking to it:
 * turns a {@link CallFailure} plus the {@link Action} into the {@link SystemdException} a user
 * reads, with {@code systemctl} hints for the right manager ({@code --user} or not).
 * Package-internal.
 *
 * @param address     the D-Bus address
 * @param userManager true for a user manager ({@code systemctl --user}), false for PID 1
 * @param callTimeout the per-call reply timeout, quoted in timeout messages
 */
record ManagerEndpoint(String address, boolean userManager, Duration callTimeout) {

    ManagerEndpoint {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(callTimeout, "callTimeout");
    }

    /** Guesses the manager from the address: anything but the system bus socket is a user bus. */
    static ManagerEndpoint of(String address, Duration callTimeout) {
        return new ManagerEndpoint(address, !address.contains("system_bus_socket"), callTimeout);
    }

    String systemctl() {
        return userManager ? "systemctl --user" : "systemctl";
    }

    String journalctl() {
        return userManager ? "journalctl --user" : "journalctl";
    }

    /** What to check when the bus cannot be reached. */
    String busHint() {
        if (userManager) {
            String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
            return "Is the user's systemd manager running ('systemctl --user status'; for an account without"
                    + " a login session, 'loginctl enable-linger USER')? Its bus is $XDG_RUNTIME_DIR/bus, and"
                    + " XDG_RUNTIME_DIR is " + (runtimeDir == null ? "not set" : "'" + runtimeDir + "'") + ".";
        }
        return "Is the system bus running ('systemctl status dbus.socket') and is systemd PID 1?"
                + " Containers often have neither.";
    }

    /** The exception for {@code failure} while doing {@code action}: what failed, for what, what to do. */
    SystemdException explain(Action action, CallFailure failure) {
        switch (failure.kind()) {
            case TIMEOUT:
                return new SystemdException(SystemdException.Reason.TIMEOUT,
                        "systemd did not answer within " + seconds(action.wait(callTimeout)) + " when asked to "
                                + action.describe() + ".",
                        "The manager may be busy (a daemon-reload, many queued jobs). Try again; if it persists,"
                                + " check '" + systemctl() + " status' and the journal.",
                        failure);
            case CONNECT_FAILED:
            case NOT_SENT:
                return new SystemdException(SystemdException.Reason.BUS_UNREACHABLE,
                        "Cannot reach systemd on D-Bus at " + address + " to " + action.describe() + ": "
                                + sentence(failure.detail()),
                        busHint(), failure);
            case INTERRUPTED:
                return new SystemdException(SystemdException.Reason.FAILED,
                        "Interrupted while waiting for systemd to " + action.describe()
                                + (action.polkitActions().isEmpty() ? "." : "; it may or may not have been done."),
                        null, failure);
            case CONNECTION_LOST:
                return new SystemdException(SystemdException.Reason.BUS_UNREACHABLE,
                        "Lost the connection to systemd on D-Bus at " + address + " while trying to "
                                + action.describe() + " (" + failure.detail() + "); it may or may not have been done.",
                        "Check the current state before retrying. " + busHint(), failure);
            case REMOTE_ERROR:
            default:
                return explainRemoteError(action, failure);
        }
    }

    private SystemdException explainRemoteError(Action action, CallFailure failure) {
        String name = failure.errorName() == null ? "" : failure.errorName();
        switch (name) {
            case "org.freedesktop.DBus.Error.AccessDenied":
            case "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired":
            case "org.freedesktop.DBus.Error.AuthFailed":
                return new SystemdException(SystemdException.Reason.PERMISSION_DENIED,
                        "Permission denied: systemd refused to " + action.describe() + ".",
                        permissionHint(action, name), failure);
            case "org.freedesktop.systemd1.NoSuchUnit":
            case "org.freedesktop.DBus.Error.FileNotFound":
                return new SystemdException(SystemdException.Reason.NO_SUCH_UNIT,
                        "Cannot " + action.describe() + ": " + sentence(failure.detail()),
                        action.templateFile() == null ? null
                                : "Is the template " + action.templateFile() + " installed? Check '" + systemctl()
                                        + " cat " + action.templateFile() + "', and run '" + systemctl()
                                        + " daemon-reload' after adding or changing unit files.",
                        failure);
            case "org.freedesktop.DBus.Error.ServiceUnknown":
            case "org.freedesktop.DBus.Error.NameHasNoOwner":
                return new SystemdException(SystemdException.Reason.BUS_UNREACHABLE,
                        "No systemd manager on D-Bus at " + address + " (needed to " + action.describe() + "): "
                                + sentence(failure.detail()),
                        "Is this the right bus? " + busHint(), failure);
            case "org.freedesktop.DBus.Error.NoReply":
            case "org.freedesktop.DBus.Error.Timeout":
            case "org.freedesktop.DBus.Error.TimedOut":
                return new SystemdException(SystemdException.Reason.TIMEOUT,
                        "systemd did not answer in time when asked to " + action.describe() + ": "
                                + sentence(failure.detail()),
                        "The manager may be busy; try again.", failure);
            default:
                return new SystemdException(SystemdException.Reason.FAILED,
                        "systemd could not " + action.describe() + ": " + withoutDot(failure.detail())
                                + (name.isEmpty() ? "" : " (" + name + ")") + ".",
                        action.templateFile() == null ? null
                                : "See '" + systemctl() + " status " + action.target() + "' and the journal.",
                        failure);
        }
    }

    private static String permissionHint(Action action, String errorName) {
        if (action.polkitActions().contains(Action.MANAGE_UNIT_FILES)) {
            return "Unit-file changes need root: no polkit rule of this project grants " + Action.MANAGE_UNIT_FILES
                    + " (systemd's policy makes it imply manage-units for every unit, i.e. root). Members of group 'ioc'"
                    + " run 'ioc-runner enable|disable NAME', which uses the sudoers policy; otherwise run it as root.";
        }
        String needed = action.polkitActions().isEmpty()
                ? "the polkit actions for systemd"
                : String.join(" and ", action.polkitActions());
        String interactive = errorName.endsWith("InteractiveAuthorizationRequired")
                ? " (polkit wanted to ask for a password, which a non-interactive caller cannot answer.)"
                : "";
        return "Run it as root (sudo), or as a member of group 'ioc' with the shipped polkit rule installed,"
                + " which grants " + needed + "." + interactive;
    }

    /** "25 s", "2.5 s". */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static String sentence(String text) {
        return withoutDot(text) + ".";
    }

    private static String withoutDot(String text) {
        String t = text.strip();
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}
