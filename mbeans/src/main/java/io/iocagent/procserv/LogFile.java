package io.iocagent.procserv;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.posix.NoFollowFile;
import io.iocagent.posix.Posix;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One IOC's procServ log and who must own it. procServ creates {@code LOG_DIR/NAME.log} as the
 * IOC's user ({@code ioc-srv} in system mode) and logrotate copies and truncates it in place, so
 * a log that is a symbolic link, not a regular file, has several names, or belongs to anyone else
 * was put there by someone else — typically a link to a file only the agent (with
 * {@code CAP_DAC_READ_SEARCH}) or root could read. Such a log is never read: {@link #open()} says
 * "log not readable: …" and the surfaces ({@code LastError}, {@code tailLog}, {@code status}, the
 * start verdict) report that instead of any line.
 *
 * @param path     {@code LOG_DIR/NAME.log}
 * @param ownerUid the uid the file must belong to; -1 accepts any owner (tests only)
 * @param owner    that user's name, for messages
 */
public record LogFile(Path path, int ownerUid, String owner) {

    /** The log of IOC {@code name} in {@code layout}, which must belong to the user its IOCs run as. */
    public static LogFile of(Layout layout, IocName name) {
        return ownedBy(layout.logFile(name), layout.identity().user());
    }

    /** The log at {@code path}, whoever owns it: for tests of the reading logic only. */
    static LogFile anyOwner(Path path) {
        return new LogFile(path, -1, "anyone");
    }

    /** The log at {@code path}, which must belong to user {@code owner}. */
    public static LogFile ownedBy(Path path, String owner) {
        return new LogFile(path, Posix.userId(owner), owner);
    }

    /**
     * Opens the log without following a link and checks it.
     *
     * @throws NoSuchFileException   when there is no log (yet)
     * @throws NotReadableException  for a link, a non-regular file, several names or another owner
     */
    public NoFollowFile open() throws IOException {
        NoFollowFile f;
        try {
            f = NoFollowFile.open(path);
        } catch (NoFollowFile.NotFollowedException e) {
            throw new NotReadableException(path + " is a symbolic link, which is not followed");
        } catch (AccessDeniedException e) {
            throw new NotReadableException(path + ": permission denied");
        }
        String problem = !f.isRegularFile() ? path + " is not a regular file"
                : f.links() != 1 ? path + " has " + f.links() + " names (hard links)"
                : ownerUid >= 0 && f.ownerUid() != ownerUid
                        ? path + " belongs to uid " + f.ownerUid() + ", not to the IOC's user " + owner
                        : "";
        if (!problem.isEmpty()) {
            f.close();
            throw new NotReadableException(problem);
        }
        return f;
    }

    /** The log exists but is not one the agent may read; the message starts "log not readable: ". */
    public static final class NotReadableException extends IOException {
        private static final long serialVersionUID = 1L;

        NotReadableException(String why) {
            super("log not readable: " + why);
        }
    }
}
