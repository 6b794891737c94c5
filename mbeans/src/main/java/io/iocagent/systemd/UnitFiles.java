package io.iocagent.systemd;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;

/**
 * The manager's unit files, as {@code systemctl enable}, {@code disable}, {@code link},
 * {@code is-enabled} and {@code daemon-reload} handle them: each a call over the
 * {@link ManagerLink}, a change followed by a reload when anything changed. Behind
 * {@link SystemdBus}, whose methods of the same names document the contract. Thread-safe.
 */
final class UnitFiles {

    private static final String MANAGER_INTERFACE = "org.freedesktop.systemd1.Manager";

    private static final Method ENABLE_UNIT_FILES = BusSession.method(Systemd1Manager.class,
            "EnableUnitFiles", List.class, boolean.class, boolean.class);
    private static final Method DISABLE_UNIT_FILES =
            BusSession.method(Systemd1Manager.class, "DisableUnitFiles", List.class, boolean.class);
    private static final Method LINK_UNIT_FILES = BusSession.method(Systemd1Manager.class,
            "LinkUnitFiles", List.class, boolean.class, boolean.class);
    private static final Method GET_UNIT_FILE_STATE =
            BusSession.method(Systemd1Manager.class, "GetUnitFileState", String.class);
    private static final Method RELOAD = BusSession.method(Systemd1Manager.class, "Reload");
    private static final Method GET = BusSession.method(Properties.class, "Get", String.class, String.class);

    private final ManagerLink link;
    private final ManagerEndpoint endpoint;

    UnitFiles(ManagerLink link, ManagerEndpoint endpoint) {
        this.link = link;
        this.endpoint = endpoint;
    }

    /** See {@link SystemdBus#enable}. */
    List<UnitFileChange> enable(UnitName unit) {
        Objects.requireNonNull(unit, "unit");
        Action action = Action.manageUnitFiles("enable", unit.toString(), unit.templateFileName());
        InstallResult<?, ?> result = link.invoke(action, false, s -> (InstallResult<?, ?>)
                s.call(BusSession.MANAGER_PATH, ENABLE_UNIT_FILES, List.of(unit.toString()), false, false));
        List<UnitFileChange> changes = changes(result.changes);
        if (changes.isEmpty() && Boolean.FALSE.equals(result.carriesInstallInfo)) {
            throw new SystemdException(SystemdException.Reason.FAILED,
                    "Cannot enable " + unit + ": its unit file has no [Install] section, so there is nothing to enable.",
                    "Add an [Install] section with WantedBy=" + (endpoint.userManager() ? "default.target" : "multi-user.target")
                            + " to " + unit.templateFileName() + " and run '" + endpoint.systemctl() + " daemon-reload'.",
                    null);
        }
        reloadIfChanged(changes);
        return changes;
    }

    /** See {@link SystemdBus#disable}. */
    List<UnitFileChange> disable(UnitName unit) {
        Objects.requireNonNull(unit, "unit");
        Action action = Action.manageUnitFiles("disable", unit.toString(), unit.templateFileName());
        List<UnitFileChange> changes = changes(link.invoke(action, false, s ->
                s.call(BusSession.MANAGER_PATH, DISABLE_UNIT_FILES, List.of(unit.toString()), false)));
        reloadIfChanged(changes);
        return changes;
    }

    /** See {@link SystemdBus#linkUnitFile}. */
    List<UnitFileChange> link(Path file, boolean runtime) {
        Objects.requireNonNull(file, "file");
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
        if (!file.isAbsolute() || !fileName.endsWith(UnitName.SUFFIX)
                || !UnitName.isValidPrefix(fileName.substring(0, fileName.length() - UnitName.SUFFIX.length()))) {
            throw new IllegalArgumentException("Refusing to link '" + file + "': only absolute paths of template"
                    + " unit files named like '" + UnitName.DEFAULT_PREFIX + UnitName.SUFFIX + "' are linked.");
        }
        Action action = Action.manageUnitFiles("link", file.toString(), fileName);
        List<UnitFileChange> changes = changes(link.invoke(action, false, s ->
                s.call(BusSession.MANAGER_PATH, LINK_UNIT_FILES, List.of(file.toString()), runtime, false)));
        reloadIfChanged(changes);
        return changes;
    }

    /** See {@link SystemdBus#reload}. */
    void reload() {
        Action reload = Action.reload();
        link.invoke(reload, true, s -> s.call(reload, BusSession.MANAGER_PATH, RELOAD));
    }

    /** See {@link SystemdBus#unitSearchPath}. */
    List<Path> searchPath() {
        Object value = link.invoke(Action.read("read", "the unit search path"), true,
                s -> s.call(BusSession.MANAGER_PATH, GET, MANAGER_INTERFACE, "UnitPath"));
        List<Path> paths = new ArrayList<>();
        if (value instanceof Variant<?> variant) {
            value = variant.getValue();
        }
        if (value instanceof Collection<?> list) {
            list.forEach(p -> paths.add(Path.of(p.toString())));
        } else if (value instanceof Object[] array) {
            for (Object p : array) {
                paths.add(Path.of(p.toString()));
            }
        }
        return List.copyOf(paths);
    }

    /** See {@link SystemdBus#unitFileState}. */
    String state(UnitName unit) {
        Objects.requireNonNull(unit, "unit");
        return link.invoke(Action.read("read the unit file state of", unit), true, s -> {
            try {
                return (String) s.call(BusSession.MANAGER_PATH, GET_UNIT_FILE_STATE, unit.toString());
            } catch (CallFailure f) {
                if (isNotFound(f)) {
                    return "not-found";
                }
                throw f;
            }
        });
    }

    private void reloadIfChanged(List<UnitFileChange> changes) {
        if (!changes.isEmpty()) {
            reload();
        }
    }

    private static List<UnitFileChange> changes(Object wire) {
        List<UnitFileChange> changes = new ArrayList<>();
        if (wire instanceof Collection<?> list) {
            for (Object change : list) {
                changes.add(UnitFileChange.of((UnitFileChangeStruct) change));
            }
        }
        return List.copyOf(changes);
    }

    private static boolean isNotFound(CallFailure f) {
        return f.kind() == CallFailure.Kind.REMOTE_ERROR
                && ("org.freedesktop.DBus.Error.FileNotFound".equals(f.errorName())
                        || "org.freedesktop.systemd1.NoSuchUnit".equals(f.errorName()));
    }
}
