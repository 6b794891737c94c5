package io.iocagent.ops;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.IocName;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitProperty;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code view NAME}: the IOC's configuration file, then its unit as systemd resolves it for that
 * instance — the fragment and every drop-in, each headed by {@code # path} as
 * {@code systemctl cat} prints them — read from the paths systemd reports over D-Bus.
 */
public final class UnitView {

    /** What the view needs from systemd: the unit's files and whether it loaded. */
    static final Set<UnitProperty> PROPERTIES = EnumSet.of(UnitProperty.LOAD_STATE, UnitProperty.FRAGMENT_PATH,
            UnitProperty.DROP_IN_PATHS);

    private final Session session;
    private final Terminal t;

    public UnitView(Session session) {
        this.session = session;
        this.t = session.terminal();
    }

    public void show(IocName name) throws OperationException {
        Installed.requireReadableConfDir(session, name);
        Path conf = session.layout().confFile(name);
        t.out(Session.DIVIDER);
        t.out("1. IOC Configuration File: " + conf);
        t.out(Session.SUB_DIVIDER);
        String text;
        try {
            // Never through a link, never more than a conf: the agent shows this to its operators.
            text = new String(ConfFile.readBytes(conf), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            t.err("Error: Configuration file not found at " + conf);
            t.err("  -> Is '" + name + "' installed in " + session.mode().label() + " mode? (ioc-runner "
                    + session.modeFlag() + "install …)");
            t.err(Session.DIVIDER);
            throw OperationException.alreadyReported("No configuration for " + name);
        } catch (IOException e) {
            t.err("Error: Cannot read " + e.getMessage());
            t.err("  -> The installed conf must be a regular file; install it again (ioc-runner "
                    + session.modeFlag() + "install …)");
            t.err(Session.DIVIDER);
            throw OperationException.alreadyReported("Unreadable configuration for " + name);
        }
        text.lines().forEach(t::out);
        t.out("");
        t.out(Session.DIVIDER);
        t.out("2. Systemd Template Unit");
        t.out(Session.SUB_DIVIDER);
        UnitName unit = session.unit(name);
        try {
            UnitState s = Systemd.call(() -> session.queries().state(unit, PROPERTIES), "read the unit files of " + unit);
            List<Path> files = new ArrayList<>();
            if (!s.fragmentPath().isEmpty()) {
                files.add(Path.of(s.fragmentPath()));
            }
            s.dropInPaths().forEach(p -> files.add(Path.of(p)));
            if (files.isEmpty()) {
                t.out("(systemd has no unit file for " + unit + "; load state: " + s.loadState() + ")");
            }
            for (int i = 0; i < files.size(); i++) {
                if (i > 0) {
                    t.out("");
                }
                t.out("# " + files.get(i));
                try {
                    Files.readString(files.get(i), StandardCharsets.UTF_8).lines().forEach(t::out);
                } catch (IOException e) {
                    t.out("(cannot read " + files.get(i) + ": " + e.getMessage() + ")");
                }
            }
        } catch (OperationException e) {
            // Like the seed, the view of the configuration stands even when systemd cannot be asked.
            t.out("(" + e.getMessage() + ")");
        }
        t.out(Session.DIVIDER);
    }
}
