package io.iocagent.jmx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Credentials} file that may be edited while the agent runs: every authentication checks
 * the file's change and modification times, size and inode and reloads it when one changed, so adding or
 * removing a user needs no restart. If the edited file is unusable (open to others, malformed),
 * every login is refused until it is fixed, rather than trusting the previous content — a removed
 * user must not keep access because of a typo elsewhere. Shared by remote JMX and Jolokia.
 *
 * <p><b>Verified logins are remembered</b> for {@link #REMEMBER} so that a monitoring client
 * sending Basic auth with every request does not cost a PBKDF2 derivation (600,000 iterations,
 * a quarter of a second of CPU) each time: what is kept per user is an HMAC of the password under
 * a key that lives only in this process, compared in constant time. Only successes are kept —
 * a wrong password always pays the full derivation — and any change of the file forgets them all.
 * Thread-safe.
 */
public final class CredentialsFile {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialsFile.class);

    /** How long a verified user and password are accepted without deriving the hash again. */
    static final Duration REMEMBER = Duration.ofMinutes(5);
    /** At most this many users are remembered; beyond, all are forgotten (simple, and never reached in practice). */
    private static final int MAX_REMEMBERED = 1024;

    private final Path path;
    private final Mac remembrance;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final AtomicLong derivations = new AtomicLong();
    private Stamp stamp; // guarded by this
    private Credentials credentials; // guarded by this; null while the file is unusable

    /** A user whose password was verified: the HMAC of that password, the role, until when. */
    private record Verified(byte[] mac, Role role, long untilNanos) {
    }

    private CredentialsFile(Path path, Stamp stamp, Credentials credentials) {
        this.path = path;
        this.remembrance = newMac();
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
        if (current == null || user == null || password == null) {
            return current == null ? Optional.empty() : current.authenticate(user, password);
        }
        byte[] mac = mac(password);
        long now = System.nanoTime();
        Verified known = verified.get(user);
        if (known != null && now - known.untilNanos() < 0 && MessageDigest.isEqual(known.mac(), mac)) {
            return Optional.of(known.role());
        }
        derivations.incrementAndGet();
        Optional<Role> role = current.authenticate(user, password);
        role.ifPresent(r -> {
            if (verified.size() >= MAX_REMEMBERED) {
                verified.clear();
            }
            verified.put(user, new Verified(mac, r, now + REMEMBER.toNanos()));
        });
        return role;
    }

    /**
     * The role of {@code user} with {@code password} if that login was verified recently and the
     * file is unchanged; empty otherwise. Never derives a hash: callers use it to let known users
     * through while password guessing is throttled.
     */
    public Optional<Role> remembered(String user, char[] password) {
        if (current() == null || user == null || password == null) {
            return Optional.empty();
        }
        Verified known = verified.get(user);
        if (known != null && System.nanoTime() - known.untilNanos() < 0 && MessageDigest.isEqual(known.mac(), mac(password))) {
            return Optional.of(known.role());
        }
        return Optional.empty();
    }

    /** How many logins needed the full hash derivation (for tests and diagnostics). */
    long derivations() {
        return derivations.get();
    }

    private byte[] mac(char[] password) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        try {
            synchronized (remembrance) {
                remembrance.update(encoded);
                return remembrance.doFinal();
            }
        } finally {
            Arrays.fill(encoded.array(), (byte) 0);
        }
    }

    private static Mac newMac() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private synchronized Credentials current() {
        try {
            Stamp now = Stamp.of(path);
            if (!now.equals(stamp)) {
                verified.clear();
                credentials = null;
                stamp = now;
                credentials = Credentials.load(path);
                LOG.info("reloaded credentials file {} ({} users)", path, credentials.users().size());
            }
        } catch (IOException e) {
            LOG.error("credentials file {} is unusable, refusing every login until it is fixed: {}", path, e.getMessage());
            verified.clear();
            credentials = null;
            stamp = null; // read it again at the next login
        }
        return credentials;
    }
}
