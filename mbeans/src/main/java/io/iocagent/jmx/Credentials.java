package io.iocagent.jmx;

import io.iocagent.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The users of remote JMX and Jolokia, from one file of lines {@code user:role:hash}: role
 * {@code viewer} or {@code operator}, hash {@code pbkdf2-sha256$<iterations>$<salt>$<key>} with
 * salt and key in Base64 (PBKDF2WithHmacSHA256, 256-bit key). Blank lines and lines starting with
 * {@code #} are ignored. Create a line with {@link #line}; the file must be private to the agent's
 * account (mode 0600 or 0400, owned by it or root), as it could otherwise be read for offline
 * guessing or edited to grant a role.
 *
 * <p>Immutable and thread-safe. {@link #authenticate} takes the same time whether or not the user
 * exists (a dummy hash is checked) and compares keys in constant time. For a file that may change
 * while the agent runs, use {@link CredentialsFile}.
 */
public final class Credentials {

    /** PBKDF2 iterations of new hashes (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
    public static final int DEFAULT_ITERATIONS = 600_000;

    /** Fewest iterations a file may use; below this a stolen hash is too cheap to guess. */
    public static final int MIN_ITERATIONS = 10_000;

    private static final String SCHEME = "pbkdf2-sha256";
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int KEY_BITS = 256;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Entry> users;
    private final Entry dummy;

    private Credentials(Map<String, Entry> users) {
        this.users = Map.copyOf(users);
        int iterations = users.values().stream().mapToInt(Entry::iterations).max().orElse(MIN_ITERATIONS);
        this.dummy = new Entry(Role.VIEWER, iterations, new byte[SALT_BYTES], new byte[KEY_BITS / 8]);
    }

    /** One user's role and password hash. */
    private record Entry(Role role, int iterations, byte[] salt, byte[] key) {
    }

    /**
     * Reads {@code file} after checking that only its owner (the agent's account or root) can
     * read or write it.
     *
     * @throws IOException when the file cannot be read, is open to group or others, belongs to
     *                     another user, or has a malformed line; the message says which and how to fix it
     */
    public static Credentials load(Path file) throws IOException {
        checkPrivate(file);
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Parses credential lines.
     *
     * @param origin the file name, for messages
     * @throws IOException for the first malformed line, naming it
     */
    static Credentials parse(List<String> lines, String origin) throws IOException {
        Map<String, Entry> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = origin + " line " + (i + 1);
            String[] f = line.split(":", 3);
            if (f.length != 3) {
                throw new IOException(where + ": expected user:role:hash.\n  -> Create lines with Credentials.line(user, role, password).");
            }
            if (!USER.matcher(f[0]).matches()) {
                throw new IOException(where + ": user name '" + f[0] + "' may only use letters, digits, '_', '.' and '-' (at most 64).");
            }
            Role role = Role.ofText(f[1]);
            if (role == null) {
                throw new IOException(where + ": role '" + f[1] + "' is neither viewer nor operator.");
            }
            Entry entry = decode(f[2], role, where);
            if (users.put(f[0], entry) != null) {
                throw new IOException(where + ": user '" + f[0] + "' is listed twice.");
            }
        }
        return new Credentials(users);
    }

    private static Entry decode(String hash, Role role, String where) throws IOException {
        String[] p = hash.split("\\$", -1);
        if (p.length != 4 || !p[0].equals(SCHEME)) {
            throw new IOException(where + ": hash must be " + SCHEME + "$<iterations>$<salt>$<key> (plain passwords are not accepted).");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
            throw new IOException(where + ": iterations '" + p[1] + "' is not a number.");
        }
        if (iterations < MIN_ITERATIONS) {
            throw new IOException(where + ": " + iterations + " iterations are too few (at least " + MIN_ITERATIONS
                    + "); hash the password again.");
        }
        try {
            byte[] salt = Base64.getDecoder().decode(p[2]);
            byte[] key = Base64.getDecoder().decode(p[3]);
            if (salt.length < 8 || key.length != KEY_BITS / 8) {
                throw new IOException(where + ": salt or key has the wrong length; hash the password again.");
            }
            return new Entry(role, iterations, salt, key);
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": salt or key is not Base64.");
        }
    }

    /** Refuses a file that group or others may access, or that another (non-root) user owns. */
    static void checkPrivate(Path file) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        boolean open = perms.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"));
        if (open) {
            throw new IOException("Credentials file " + file + " is accessible by group or others ("
                    + PosixFilePermissions.toString(perms) + "); it holds password hashes.\n  -> chmod 600 " + file);
        }
        int owner = (Integer) Files.getAttribute(file, "unix:uid");
        int self = Posix.euid();
        if (owner != self && owner != 0) {
            throw new IOException("Credentials file " + file + " belongs to uid " + owner + ", not to the agent (uid "
                    + self + ") or root; its owner could grant themselves a role.\n  -> chown the file to the agent's user.");
        }
    }

    /**
     * The role of {@code user} if {@code password} is theirs. Takes as long for an unknown user
     * as for a known one.
     */
    public Optional<Role> authenticate(String user, char[] password) {
        Entry e = user == null ? null : users.get(user);
        Entry checked = e != null ? e : dummy;
        byte[] key = derive(password == null ? new char[0] : password, checked.salt(), checked.iterations());
        boolean match = MessageDigest.isEqual(key, checked.key());
        return e != null && match ? Optional.of(e.role()) : Optional.empty();
    }

    /** The users listed, in file order. */
    public Set<String> users() {
        return users.keySet();
    }

    /** A new hash of {@code password} with a random salt and {@link #DEFAULT_ITERATIONS}. */
    public static String hash(char[] password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    /** A new hash of {@code password} with a random salt and {@code iterations} (at least {@link #MIN_ITERATIONS}). */
    public static String hash(char[] password, int iterations) {
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be at least " + MIN_ITERATIONS + ", not " + iterations);
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(derive(password, salt, iterations));
    }

    /** A credentials file line for {@code user}, hashed with {@link #DEFAULT_ITERATIONS}. */
    public static String line(String user, Role role, char[] password) {
        if (!USER.matcher(Objects.requireNonNull(user, "user")).matches()) {
            throw new IllegalArgumentException("user name '" + user + "' may only use letters, digits, '_', '.' and '-'.");
        }
        return user + ":" + role.text() + ":" + hash(password);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, KEY_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }
}
