package io.iocagent.ops;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.ConfSyntaxException;
import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitProperty;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;

/**
 * Which console socket {@code attach}, {@code monitor} and {@code inspect} use (the seed's
 * {@code resolve_sock_path}): the path in the installed conf's {@code IOC_PORT}, after its last
 * ':'. A unit that is not active only warns — the socket may be stale — because the operator may
 * be looking at a stuck IOC on purpose.
 */
public final class ConsoleTarget {

    private ConsoleTarget() {
    }

    public static Path resolve(Session session, IocName name) throws OperationException {
        Terminal t = session.terminal();
        Installed.requireReadableConfDir(session, name);
        Path conf = session.layout().confFile(name);
        if (!Files.isRegularFile(conf)) {
            throw OperationException.failure("Configuration for " + name + " not found.",
                    "  -> Looked for " + conf + "; is the IOC installed in " + session.mode().label() + " mode?");
        }
        UnitName unit = session.unit(name);
        UnitState state = Systemd.call(() -> session.queries().state(unit, EnumSet.of(UnitProperty.ACTIVE_STATE)),
                "read the state of " + unit);
        if (!state.isActive()) {
            t.err(Session.DIVIDER);
            t.err("WARNING: Service '" + unit + "' is currently '" + state.activeState() + "'.");
            t.err("The socket file may be stale. The console connection might fail or hang.");
            t.err(Session.DIVIDER);
        }
        Optional<String> port;
        try {
            port = ConfFile.read(conf, conf.toString()).get("IOC_PORT");
        } catch (IOException | ConfSyntaxException e) {
            throw OperationException.failure("Cannot read " + conf + ": " + e.getMessage(),
                    "  -> Fix the file and run install again.");
        }
        if (port.isEmpty()) {
            throw OperationException.failure("IOC_PORT not configured in " + conf + ".",
                    "  -> Run 'ioc-runner " + session.modeFlag() + "install' again: it writes the standard socket.");
        }
        Path socket = IocPort.socketPath(port.get());
        if (socket.toString().isEmpty() || !isSocket(socket)) {
            throw OperationException.failure("Socket file not found or invalid: " + socket,
                    "  -> Is the IOC running? ioc-runner " + session.modeFlag() + "status " + name);
        }
        return socket;
    }

    private static boolean isSocket(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            return (mode & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
