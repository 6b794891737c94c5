package io.iocagent.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A directory laid out like {@code /proc}: {@code PID/fd/N} symlinks whose targets are the texts
 * the kernel shows ({@code socket:[INODE]}, {@code pipe:[INODE]}, ...), and {@code stat},
 * {@code status}, {@code cmdline} files in the kernel's formats.
 */
final class FakeProc {

    static final long BOOT = 1_795_486_859L;
    static final long TICKS = 100;
    static final long PAGE = 4096;

    private final Path root;

    FakeProc(Path root) throws IOException {
        this.root = Files.createDirectories(root);
        Files.writeString(root.resolve("stat"), "cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 0 0 0\nctxt 5\nbtime " + BOOT
                + "\nprocesses 9\n");
        Files.createDirectories(root.resolve("self")); // non-numeric entries are not processes
    }

    Path root() {
        return root;
    }

    /** Gives process {@code pid} descriptor {@code fd} pointing at {@code target}. */
    FakeProc fd(int pid, int fd, String target) throws IOException {
        Path dir = Files.createDirectories(root.resolve(pid + "/fd"));
        Files.createSymbolicLink(dir.resolve(Integer.toString(fd)), Path.of(target));
        return this;
    }

    /** Gives process {@code pid} a socket descriptor. */
    FakeProc socket(int pid, int fd, long inode) throws IOException {
        return fd(pid, fd, "socket:[" + inode + "]");
    }

    /**
     * Writes the files {@link ProcessTable#process} and {@link ProcessTable#residentBytes} read.
     *
     * @param cmdline the arguments, each followed by NUL as the kernel shows them; "" for none
     */
    FakeProc process(int pid, int ppid, String comm, char state, int euid, long utime, long stime, long startTicks,
                     long rssPages, String cmdline) throws IOException {
        Path dir = Files.createDirectories(root.resolve(Integer.toString(pid)));
        String stat = pid + " (" + comm + ") " + state + " " + ppid + " " + pid + " " + pid + " 0 -1 4194560 100 0 0 0 "
                + utime + " " + stime + " 0 0 20 0 1 0 " + startTicks + " 123456789 " + rssPages
                + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
        Files.writeString(dir.resolve("stat"), stat);
        Files.writeString(dir.resolve("status"), "Name:\t" + comm + "\nUmask:\t0022\nState:\t" + state
                + " (sleeping)\nTgid:\t" + pid + "\nPid:\t" + pid + "\nPPid:\t" + ppid + "\nUid:\t1000\t" + euid
                + "\t" + euid + "\t" + euid + "\nGid:\t100\t100\t100\t100\n");
        Files.write(dir.resolve("cmdline"), cmdline.getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("statm"), "2000 " + rssPages + " 50 10 0 200 0\n");
        return this;
    }

    /** A process as the fd scan sees it when it exits between listing /proc and reading its fds. */
    FakeProc vanished(int pid) throws IOException {
        Files.createDirectories(root.resolve(Integer.toString(pid)));
        return this;
    }

    ProcessTable table(Path cgroupRoot) {
        return new ProcessTable(root, cgroupRoot, TICKS, PAGE, uid -> uid == 1000 ? "alice" : "u" + uid);
    }
}
