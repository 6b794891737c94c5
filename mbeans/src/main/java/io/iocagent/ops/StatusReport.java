package io.iocagent.ops;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.ConfSyntaxException;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.model.IocFacts;
import io.iocagent.crash.ChildExit;
import io.iocagent.procserv.LogFile;
import io.iocagent.procserv.LogTail;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitProperty;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code status NAME}: the unit's state, sub-state, PID and since when, then the last lines of
 * the IOC's procServ log file (the journal is never read: operators need no journal access).
 * Exit status follows {@code systemctl status}: 0 when active, 3 otherwise.
 */
public final class StatusReport {

    /** Lines of the procServ log shown under the state. */
    public static final int LOG_LINES = 10;

    /** What the report shows of the unit: all systemd is asked for. */
    static final Set<UnitProperty> PROPERTIES = EnumSet.of(UnitProperty.LOAD_STATE, UnitProperty.UNIT_FILE_STATE,
            UnitProperty.ACTIVE_STATE, UnitProperty.SUB_STATE, UnitProperty.ACTIVE_ENTER, UnitProperty.MAIN_PID,
            UnitProperty.RESTARTS);

    /** Exit status for an IOC that is not active, as {@code systemctl status} uses. */
    public static final int NOT_ACTIVE = 3;

    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z")
            .withZone(ZoneId.systemDefault());

    private final Session session;
    private final Terminal t;

    public StatusReport(Session session) {
        this.session = session;
        this.t = session.terminal();
    }

    /** Prints the report; returns the exit status (0 active, 3 not active). */
    public int show(IocName name) throws OperationException {
        Installed.requireReadableConfDir(session, name);
        Layout layout = session.layout();
        UnitName unit = session.unit(name);
        UnitState s = Systemd.call(() -> session.queries().state(unit, PROPERTIES), "read the state of " + unit);
        Path conf = layout.confFile(name);

        t.out("IOC:       " + name + " (" + session.mode().label() + " mode)");
        t.out("Unit:      " + unit + " (" + s.loadState() + "; " + (s.unitFileState().isEmpty() ? "-" : s.unitFileState()) + ")");
        String since = s.activeEnterTimestamp()
                .map(at -> " since " + SINCE.format(at) + "; " + ago(at) + " ago")
                .orElse("");
        t.out("State:     " + s.activeState() + " (" + s.subState() + ")" + (s.isActive() ? since : ""));
        t.out("Main PID:  " + (s.mainPid() > 0 ? Integer.toString(s.mainPid()) : "-"));
        t.out("Restarts:  " + s.restarts() + " (by systemd)");
        t.out("Conf:      " + conf + (Files.isRegularFile(conf) ? "" : " (not installed)"));
        Path socket = IocFacts.socketPath(layout, name, port(conf));
        t.out("Socket:    " + socket + (Files.exists(socket) ? "" : " (absent)"));
        Path log = layout.logFile(name);
        t.out("Log:       " + log);
        if (!Files.exists(log, LinkOption.NOFOLLOW_LINKS)) {
            t.out("");
            t.out("(no log file yet at " + log + ")");
        } else {
            try {
                LogTail end = LogTail.read(LogFile.of(layout, name));
                List<String> tail = end.last(LOG_LINES);
                t.out("Last exit: " + end.lastExit().map(ChildExit::summary).orElse("-"));
                t.out("");
                if (tail.isEmpty()) {
                    t.out("(" + log + " is empty so far)");
                } else {
                    t.out("Last " + tail.size() + " lines of " + log + ":");
                    tail.forEach(t::out);
                }
            } catch (LogFile.NotReadableException e) {
                t.out("");
                t.out("(" + e.getMessage() + ")");
            } catch (IOException e) {
                t.out("");
                t.out("(cannot read " + log + ": " + e.getMessage() + ")");
            }
        }
        return s.isActive() ? 0 : NOT_ACTIVE;
    }

    /** The installed conf's {@code IOC_PORT}; empty when not installed, unreadable or unset. */
    private static Optional<String> port(Path conf) {
        try {
            return Files.isRegularFile(conf) ? ConfFile.read(conf, conf.toString()).get("IOC_PORT") : Optional.empty();
        } catch (IOException | ConfSyntaxException e) {
            return Optional.empty();
        }
    }

    private static String ago(Instant at) {
        Duration d = Duration.between(at, Instant.now());
        if (d.isNegative()) {
            return "0s";
        }
        long s = d.getSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "min " + (s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h " + (s % 3600 / 60) + "min";
        }
        return (s / 86400) + "d " + (s % 86400 / 3600) + "h";
    }

    /**
     * The last {@code lines} lines of {@code name}'s procServ log, for callers without a terminal
     * (the MBeans' {@code tailLog}): fails with what to do when there is no log yet, when the file
     * is not the IOC's own, or when it cannot be read.
     */
    public static List<String> tailLog(Session s, IocName name, int lines) throws OperationException {
        Path log = s.layout().logFile(name);
        if (!Files.exists(log, LinkOption.NOFOLLOW_LINKS)) {
            throw OperationException.failure("No log file yet at " + log + ".",
                    "  -> procServ creates it when the IOC first starts.");
        }
        try {
            return tail(LogFile.of(s.layout(), name), lines);
        } catch (LogFile.NotReadableException e) {
            throw OperationException.failure(e.getMessage() + ".",
                    "  -> Only the IOC's own log file is shown; an administrator should replace " + log + ".");
        } catch (IOException e) {
            throw OperationException.failure("Cannot read " + log + ": " + e.getMessage(),
                    "  -> Check that the agent may read " + log.getParent() + ".");
        }
    }

    /** The last {@code n} lines of {@code log} ({@link LogTail}). */
    public static List<String> tail(LogFile log, int n) throws IOException {
        return LogTail.read(log).last(n);
    }
}
