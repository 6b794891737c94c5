package io.iocagent.jmx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Credentials} file that may be edited while the agent runs: every authentication checks
 * the file's change and modification times, size and inode and reloads it when one changed, so adding or
 * removing a user needs no restart. If the edited file is unusable (open to others, malformed),
 * every login is refused until it is fixed, rather than trusting the previous content — a removed
 * user must not keep access because of a typo elsewhere. Shared by remote JMX and Jolokia.
 * Thread-safe.
 */
public final class CredentialsFile {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialsFile.class);

    private final Path path;
    private Stamp stamp; // guarded by this
    private Credentials credentials; // guarded by this; null while the file is unusable

    private CredentialsFile(Path path, Stamp stamp, Credentials credentials) {
        this.path = path;
        this.stamp = stamp;
        this.credentials = credentials;
    }

    /** Which version of the file was read: ctime also moves on chmod and chown, so permissions are checked again. */
    private record Stamp(Object fileKey, FileTime changed, FileTime modified, long size) {
        static Stamp of(Path path) throws IOException {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), (FileTime) Files.getAttribute(path, "unix:ctime"), a.lastModifiedTime(), a.size());
        }
    }

    /**
     * Loads {@code path} now, so a bad file stops the agent at start with a clear message.
     *
     * @throws IOException see {@link Credentials#load}
     */
    public static CredentialsFile open(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        Stamp stamp = Stamp.of(path);
        return new CredentialsFile(path, stamp, Credentials.load(path));
    }

    public Path path() {
        return path;
    }

    /** The role of {@code user} with {@code password}, or empty (also while the file is unusable). */
    public Optional<Role> authenticate(String user, char[] password) {
        Credentials current = current();
        return current == null ? Optional.empty() : current.authenticate(user, password);
    }

    private synchronized Credentials current() {
        try {
            Stamp now = Stamp.of(path);
            if (!now.equals(stamp)) {
                credentials = null;
                stamp = now;
                credentials = Credentials.load(path);
                LOG.info("reloaded credentials file {} ({} users)", path, credentials.users().size());
            }
        } catch (IOException e) {
            LOG.error("credentials file {} is unusable, refusing every login until it is fixed: {}", path, e.getMessage());
            credentials = null;
            stamp = null; // read it again at the next login
        }
        return credentials;
    }
}
