package io.iocagent.model;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.ConfSyntaxException;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.crash.CrashPatterns;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the model takes from one installed {@code NAME.conf}: read once per version of the file
 * (see {@link FileStamp}), not on every poll.
 *
 * <p>A conf that cannot be read or parsed still counts as installed: its IOC is listed with an
 * empty command and the standard socket path, and {@link #problem} says why.
 *
 * @param path             the file
 * @param stamp            the version read
 * @param command          {@code IOC_CMD}, empty if unset
 * @param workingDirectory {@code IOC_CHDIR}, empty if unset
 * @param socketPath       the socket of {@code IOC_PORT}, else the layout's standard one
 * @param extraSource      the trimmed {@code CRASH_LOG_PATTERNS_EXTRA}, empty if unset
 * @param extra            its pattern when usable ({@link CrashPatterns#compileExtra}), else empty
 * @param problem          why the file could not be used, empty when it could
 * @param unreadable       the file could not be read at all (I/O error, a symbolic link, too
 *                         large): a refresh error, where a syntax error is the file's own problem
 */
record InstalledConf(Path path, FileStamp stamp, String command, String workingDirectory, Path socketPath,
                     String extraSource, Optional<Pattern> extra, String problem, boolean unreadable) {

    InstalledConf {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(stamp, "stamp");
        Objects.requireNonNull(socketPath, "socketPath");
        Objects.requireNonNull(extra, "extra");
    }

    /** Reads {@code path}, the conf of {@code name}, whose version is {@code stamp}. Never throws. */
    static InstalledConf read(Layout layout, IocName name, Path path, FileStamp stamp) {
        Path standardSocket = IocFacts.socketPath(layout, name, Optional.empty());
        ConfFile conf;
        try {
            conf = ConfFile.read(path, path.toString());
        } catch (IOException e) {
            return broken(path, stamp, standardSocket, "cannot read " + e.getMessage(), true);
        } catch (ConfSyntaxException e) {
            return broken(path, stamp, standardSocket, e.getMessage(), false);
        }
        Path socket = IocFacts.socketPath(layout, name, conf.get("IOC_PORT"));
        String extraSource = conf.get("CRASH_LOG_PATTERNS_EXTRA").map(String::trim).orElse("");
        Optional<Pattern> extra = extraSource.isEmpty() ? Optional.empty() : CrashPatterns.compileExtra(extraSource);
        String problem = extraSource.isEmpty() || extra.isPresent() ? ""
                : "CRASH_LOG_PATTERNS_EXTRA in " + path + " " + CrashPatterns.classifyExtra(extraSource).runtimeReason()
                        + "; the base patterns are used";
        return new InstalledConf(path, stamp, conf.get("IOC_CMD").orElse(""), conf.get("IOC_CHDIR").orElse(""),
                socket, extraSource, extra, problem, false);
    }

    private static InstalledConf broken(Path path, FileStamp stamp, Path socket, String problem, boolean unreadable) {
        return new InstalledConf(path, stamp, "", "", socket, "", Optional.empty(), problem, unreadable);
    }
}
