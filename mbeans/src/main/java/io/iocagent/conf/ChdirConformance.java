package io.iocagent.conf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * Whether an IOC's working directory fits the system permission model (seed §6.3): the service
 * account, a member of the IOC group but not the directory's owner, must be able to reach it and
 * write {@code .iocsh_history} and autosave files there. System install warns (and asks) when it
 * does not.
 *
 * <p>Metadata only, no privileges needed, and therefore the same verdict for root and for an
 * operator. ACLs are ignored, as in the seed. Needs the {@code "unix"} file attribute view
 * (Linux JDKs), which gives the setgid bit.
 */
public final class ChdirConformance {

    private static final int SETGID = 02000;
    private static final int GROUP_WRITE = 0020;
    private static final int GROUP_EXECUTE = 0010;
    private static final int OTHER_EXECUTE = 0001;

    private ChdirConformance() {
    }

    /**
     * True iff {@code chdir} is absolute; the leaf is a real directory (not a symlink) owned by
     * {@code group} with setgid, group-write and group-execute; and every ancestor up to and
     * including {@code /} is not a symlink and can be traversed by a member of {@code group}
     * (other-execute, or group-execute with {@code group} as its group). Any file that cannot
     * be examined makes the answer false.
     *
     * @param group the IOC group's name, compared with each file's group name
     */
    public static boolean conformsToSystemModel(Path chdir, String group) {
        if (!chdir.isAbsolute()) {
            return false;
        }
        try {
            PosixFileAttributes leaf = attributes(chdir);
            int leafMode = mode(chdir);
            if (leaf.isSymbolicLink() || !leaf.isDirectory() || !isGroup(leaf, group)
                    || !hasAll(leafMode, SETGID | GROUP_WRITE | GROUP_EXECUTE)) {
                return false;
            }
            for (Path parent = chdir.getParent(); parent != null; parent = parent.getParent()) {
                PosixFileAttributes attributes = attributes(parent);
                int mode = mode(parent);
                boolean traversable = hasAll(mode, OTHER_EXECUTE)
                        || (isGroup(attributes, group) && hasAll(mode, GROUP_EXECUTE));
                if (attributes.isSymbolicLink() || !traversable) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static PosixFileAttributes attributes(Path path) throws IOException {
        return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isGroup(PosixFileAttributes attributes, String group) {
        return attributes.group().getName().equals(group);
    }

    private static boolean hasAll(int mode, int bits) {
        return (mode & bits) == bits;
    }
}
