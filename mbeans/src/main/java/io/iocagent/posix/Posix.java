package io.iocagent.posix;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * The process's identity and terminals. What {@code /proc/self} and the JDK can answer is read
 * from there (ids from {@code /proc/self/status}, the names of the process's own user and group
 * through the JDK's user database lookup, terminals from the {@code /proc/self/fd} links), so a
 * short command needs no native library; the rest are libc calls through JNA. Only calls that
 * cannot fail in a harmful way are bound; each wrapper documents what it returns when the C call
 * reports nothing.
 *
 * <p>Thread-safe: the bound functions are reentrant for our use ({@code getgrgid}/{@code getpwuid}
 * results are copied before returning).
 */
public final class Posix {

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int isatty(int fd);

        int getuid();

        int geteuid();

        int getgid();

        Pointer getgrgid(int gid);

        Pointer getgrnam(String name);

        Pointer getpwnam(String name);

        Pointer getpwuid(int uid);
    }

    private Posix() {
    }

    private static final Path SELF = Path.of("/proc/self");

    /**
     * True when file descriptor {@code fd} (0 = stdin) is a terminal: its {@code /proc/self/fd}
     * link names a terminal device ({@code /dev/pts/N}, {@code /dev/ttyX}, {@code /dev/console}),
     * else, when that link cannot be read, what {@code isatty(3)} says.
     */
    public static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(SELF.resolve("fd").resolve(Integer.toString(fd))).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return LibC.INSTANCE.isatty(fd) == 1;
        }
    }

    /** The real user id. */
    public static int uid() {
        return ids("Uid:", 0).orElseGet(() -> LibC.INSTANCE.getuid());
    }

    /** The effective user id. */
    public static int euid() {
        return ids("Uid:", 1).orElseGet(() -> LibC.INSTANCE.geteuid());
    }

    /** The real group id. */
    public static int gid() {
        return ids("Gid:", 0).orElseGet(() -> LibC.INSTANCE.getgid());
    }

    private static int egid() {
        return ids("Gid:", 1).orElse(-1);
    }

    /** Field {@code index} (0 real, 1 effective) of the {@code Uid:} or {@code Gid:} line of /proc/self/status. */
    private static Optional<Integer> ids(String key, int index) {
        try {
            for (String line : Status.LINES) {
                if (line.startsWith(key)) {
                    return Optional.of(Integer.parseInt(line.substring(key.length()).trim().split("\\s+")[index]));
                }
            }
        } catch (RuntimeException e) {
            // a line not as documented: ask libc
        }
        return Optional.empty();
    }

    /**
     * The lines of /proc/self/status, read once: the ids in them never change in this process (it
     * never calls setuid), and a command asks for them several times. Empty without /proc.
     */
    private static final class Status {
        static final List<String> LINES = read();

        private static List<String> read() {
            try {
                return Files.readAllLines(SELF.resolve("status"), StandardCharsets.ISO_8859_1);
            } catch (IOException | RuntimeException e) {
                return List.of(); // no /proc: ask libc
            }
        }
    }

    /** The name of group {@code gid}, or its number as text when no group database knows it. */
    public static String groupName(int gid) {
        if (gid == egid()) {
            try { // /proc/self belongs to the effective ids; the JDK resolves them through NSS
                return Files.readAttributes(SELF, PosixFileAttributes.class).group().getName();
            } catch (IOException | UnsupportedOperationException e) {
                // ask libc
            }
        }
        Pointer group = LibC.INSTANCE.getgrgid(gid);
        // struct group { char *gr_name; ... }: the name pointer is the first field.
        return group == null ? Integer.toString(gid) : group.getPointer(0).getString(0);
    }

    /** The id of group {@code name}, or -1 when no group database knows it. */
    public static int groupId(String name) {
        Pointer group = LibC.INSTANCE.getgrnam(name);
        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }
        return group == null ? -1 : group.getInt(2L * Native.POINTER_SIZE);
    }

    /** The uid of user {@code name}, or -1 when no user database knows it. */
    public static int userId(String name) {
        int self = euid();
        if (name.equals(userName(self))) {
            return self; // the caller's own name (local mode): no libc, so a command need not load JNA
        }
        Pointer passwd = LibC.INSTANCE.getpwnam(name);
        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; ... }
        return passwd == null ? -1 : passwd.getInt(2L * Native.POINTER_SIZE);
    }

    /** The login name of {@code uid}, or its number as text when no user database knows it. */
    public static String userName(int uid) {
        if (uid == euid()) {
            try {
                return Files.getOwner(SELF).getName();
            } catch (IOException | UnsupportedOperationException e) {
                // ask libc
            }
        }
        Pointer passwd = LibC.INSTANCE.getpwuid(uid);
        // struct passwd { char *pw_name; char *pw_passwd; uid_t; gid_t; char *pw_gecos; char *pw_dir; ... }
        return passwd == null ? Integer.toString(uid) : passwd.getPointer(0).getString(0);
    }

    /** The home directory recorded for {@code uid} in the user database, or null. */
    public static String homeDirectory(int uid) {
        Pointer passwd = LibC.INSTANCE.getpwuid(uid);
        if (passwd == null) {
            return null;
        }
        // pw_dir follows pw_name, pw_passwd (pointers), pw_uid, pw_gid (ints) and pw_gecos (pointer).
        long offset = 2L * Native.POINTER_SIZE + 8 + Native.POINTER_SIZE;
        Pointer dir = passwd.getPointer(offset);
        return dir == null ? null : dir.getString(0);
    }
}
