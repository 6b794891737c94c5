package io.iocagent.ops;

import io.iocagent.conf.IocName;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code remove NAME}: stop, disable, verify the unit really stopped (otherwise keep the
 * configuration and say why), delete the configuration, verify it is gone, reload systemd.
 * Logs are never deleted.
 */
public final class Remover {

    private final Session session;
    private final Terminal t;

    public Remover(Session session) {
        this.session = session;
        this.t = session.terminal();
    }

    public void remove(IocName name) throws OperationException {
        Path conf = Installed.require(session, name, "remove");
        UnitName unit = session.unit(name);
        Enablement enablement = Enablement.of(session);
        boolean enabled = true;
        if (enablement.route() != Enablement.Route.BUS) {
            // Through sudo only when there is something to disable; the agent cannot disable at all,
            // so it refuses before stopping anything rather than leave a boot link to a removed conf.
            enabled = Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit)
                    .unitFileState().startsWith("enabled");
            if (enabled && enablement.route() == Enablement.Route.REFUSED) {
                OperationException refusal = enablement.refusal("disable", unit);
                throw OperationException.failure(1, "IOC '" + name + "' is enabled; the agent cannot disable it in system mode,"
                        + " so it was not removed.", refusal.details());
            }
        }

        Optional<String> stopError = attempt(() -> session.systemd().stop(unit, Lifecycle.JOB_TIMEOUT));
        Optional<String> disableError = enabled ? attemptDisable(enablement, unit) : Optional.empty();

        UnitState state = Systemd.call(() -> session.systemd().state(unit), "read the state of " + unit);
        if (state.isRunning()) {
            t.err("Error: Removal aborted. Service '" + unit + "' did not stop (State: " + state.activeState() + ").");
            stopError.ifPresent(e -> {
                t.err("  stop reported:");
                e.lines().forEach(l -> t.err("    " + l));
            });
            t.err("  -> Check permissions and the unit state (ioc-runner " + session.modeFlag() + "status " + name
                    + "), then re-run remove.");
            throw OperationException.alreadyReported("Removal of " + name + " aborted: unit still " + state.activeState());
        }
        if (state.unitFileState().startsWith("enabled")) {
            t.err("Warning: could not disable '" + unit + "'; it may still start at boot.");
            disableError.ifPresent(e -> e.lines().forEach(l -> t.err("    " + l)));
        }

        try {
            Files.deleteIfExists(conf);
        } catch (IOException e) {
            // verified below
        }
        if (Files.exists(conf) || Files.isSymbolicLink(conf)) {
            throw OperationException.failure("Failed to remove " + conf + " (permissions?). The IOC is still installed.",
                    "  -> You need write permission on " + session.layout().confDir() + ".");
        }
        removeStaleSocketDir(name);
        Systemd.run(() -> session.systemd().reload(), "reload systemd (daemon-reload)");
        t.out("IOC " + name + " removed.");
    }

    private void removeStaleSocketDir(IocName name) {
        Path dir = session.layout().socketDir(name);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            t.err("Warning: could not remove the stale socket directory " + dir + ": " + e.getMessage());
        }
    }

    /** Disables through the caller's route; a failure is tolerated here and judged by the state check. */
    private static Optional<String> attemptDisable(Enablement enablement, UnitName unit) {
        try {
            enablement.disable(unit);
            return Optional.empty();
        } catch (OperationException e) {
            return Optional.of(e.fullText());
        } catch (RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    /** Runs a systemd step whose failure is tolerated here and judged by the state check after it. */
    private static Optional<String> attempt(Systemd.Call<?> call) {
        try {
            call.run();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }
}
