package io.iocagent.posix;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * libc calls through JNA. Only calls that cannot fail in a harmful way are bound; each wrapper
 * documents what it returns when the C call reports nothing.
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

    /** True when file descriptor {@code fd} (0 = stdin) is a terminal. */
    public static boolean isTerminal(int fd) {
        return LibC.INSTANCE.isatty(fd) == 1;
    }

    public static int uid() {
        return LibC.INSTANCE.getuid();
    }

    public static int euid() {
        return LibC.INSTANCE.geteuid();
    }

    public static int gid() {
        return LibC.INSTANCE.getgid();
    }

    /** The name of group {@code gid}, or its number as text when no group database knows it. */
    public static String groupName(int gid) {
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
        Pointer passwd = LibC.INSTANCE.getpwnam(name);
        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; ... }
        return passwd == null ? -1 : passwd.getInt(2L * Native.POINTER_SIZE);
    }

    /** The login name of {@code uid}, or its number as text when no user database knows it. */
    public static String userName(int uid) {
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
