package io.iocagent.posix;

import java.nio.file.Path;
import java.util.Map;

/**
 * The account running this process: what the seed gets from {@code id -un}, {@code id -gn},
 * {@code id -u} and its HOME resolution.
 *
 * @param user        login name
 * @param group       primary group name
 * @param uid         real user id
 * @param home        HOME, else the user database's home, else {@code /tmp}
 * @param homeTrusted false when HOME fell back to {@code /tmp}: a world-writable directory must
 *                    never supply executables, so {@code ~/.local/bin} is then not searched
 */
public record Account(String user, String group, int uid, Path home, boolean homeTrusted) {

    /** The current process's account, resolving HOME from {@code env} as the seed does. */
    public static Account current(Map<String, String> env) {
        int uid = Posix.uid();
        String home = env.get("HOME");
        boolean trusted = true;
        if (home == null || home.isEmpty()) {
            home = Posix.homeDirectory(uid);
        }
        if (home == null || home.isEmpty()) {
            home = "/tmp";
            trusted = false;
        }
        return new Account(Posix.userName(uid), Posix.groupName(Posix.gid()), uid, Path.of(home), trusted);
    }

    public boolean isRoot() {
        return uid == 0;
    }
}
