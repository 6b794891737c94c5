package io.iocagent.ops;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.LayoutException;
import io.iocagent.conf.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The installed-IOC gate: verbs that act on an existing IOC refuse names without a configuration
 * file, because systemd would otherwise instantiate the template for any typo and report success.
 */
final class Installed {

    private Installed() {
    }

    /**
     * Returns the IOC's configuration file.
     *
     * @param verb what the caller wanted to do, for the hint ("stop", "remove", …)
     * @throws OperationException when the conf directory is unreadable or the file is missing
     */
    static Path require(Session session, IocName name, String verb) throws OperationException {
        Layout layout = session.layout();
        requireReadableConfDir(session, name);
        Path conf = layout.confFile(name);
        if (!Files.isRegularFile(conf)) {
            List<String> details = new ArrayList<>();
            details.add("  -> Nothing to " + verb + ": the IOC is not installed in " + session.mode().label() + " mode.");
            installedInOtherMode(session, name).ifPresent(other -> details.add("  -> It is installed in "
                    + other.mode().label() + " mode (" + other.confFile(name) + "): ioc-runner "
                    + (other.mode() == Mode.LOCAL ? "--local " : "") + verb + " " + name));
            if (Files.isDirectory(layout.socketDir(name))) {
                details.add("  -> A stale socket directory exists at " + layout.socketDir(name)
                        + "; remove it manually if orphaned.");
            }
            throw OperationException.failure(1, "No configuration found for IOC '" + name + "' (looked in "
                    + layout.confDir() + ").", details);
        }
        return conf;
    }

    /**
     * The other mode's layout when it holds {@code name}: the usual slip is a forgotten (or an
     * extra) {@code --local}. Empty when that mode cannot be resolved for this caller.
     */
    private static Optional<Layout> installedInOtherMode(Session session, IocName name) {
        Mode other = session.mode() == Mode.LOCAL ? Mode.SYSTEM : Mode.LOCAL;
        try {
            Layout layout = Layout.resolve(other, session.env(), session.account());
            return Files.isRegularFile(layout.confFile(name)) ? Optional.of(layout) : Optional.empty();
        } catch (LayoutException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The seed's {@code assert_conf_dir_readable}: name the permission barrier, not "not found". */
    static void requireReadableConfDir(Session session, IocName name) throws OperationException {
        Path dir = session.layout().confDir();
        if (Files.isDirectory(dir) && !(Files.isReadable(dir) && Files.isExecutable(dir))) {
            throw OperationException.failure("Cannot read " + dir + " to resolve IOC '" + name + "' ("
                    + session.layout().identity().group() + " group membership required).",
                    "  -> Ask an administrator to add you to the group: usermod -aG "
                            + session.layout().identity().group() + " " + session.account().user());
        }
    }
}
