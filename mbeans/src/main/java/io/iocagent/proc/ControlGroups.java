package io.iocagent.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Control group membership read from the cgroup file system ({@code /sys/fs/cgroup}): which
 * processes a unit's group holds, in whichever hierarchy layout the host has. {@link ProcessTable}
 * answers {@code cgroupPids} with it. Stateless and thread-safe.
 */
final class ControlGroups {

    private final Path root;

    /** @param root where the cgroup file system is mounted ({@code /sys/fs/cgroup}, or a test's copy) */
    ControlGroups(Path root) {
        this.root = root;
    }

    /**
     * The PIDs in control group {@code controlGroup} and the groups below it, as systemd names it
     * (its {@code ControlGroup} property, e.g. {@code /system.slice/system-epics\x2d.slice/...}).
     * Used for CPU and memory figures when systemd's own accounting is off.
     *
     * <p>The hierarchy read is the first of {@code /sys/fs/cgroup/unified<cg>} (hybrid layout),
     * {@code /sys/fs/cgroup<cg>} (pure cgroup v2) and {@code /sys/fs/cgroup/systemd<cg>} (named v1
     * hierarchy) that holds a {@code cgroup.procs}. Each {@code cgroup.procs} lists the processes
     * directly in its group, unsorted and possibly with duplicates; the result is deduplicated.
     *
     * @return the PIDs in reading order, each once; empty when no hierarchy has the group (e.g. the
     *         unit is not running)
     * @throws IllegalArgumentException when {@code controlGroup} is not an absolute group path or
     *                                  contains {@code ..}
     * @throws IOException              when a {@code cgroup.procs} exists but cannot be read
     */
    List<Integer> pids(String controlGroup) throws IOException {
        if (!controlGroup.startsWith("/") || controlGroup.indexOf('\0') >= 0
                || ("/" + controlGroup + "/").contains("/../")) {
            throw new IllegalArgumentException("Not a control group path: '" + controlGroup + "'");
        }
        String relative = controlGroup.substring(1);
        for (Path hierarchy : List.of(root.resolve("unified"), root, root.resolve("systemd"))) {
            Path group = relative.isEmpty() ? hierarchy : hierarchy.resolve(relative);
            if (Files.isRegularFile(group.resolve("cgroup.procs"))) {
                return groupPids(group);
            }
        }
        return List.of();
    }

    private static List<Integer> groupPids(Path group) throws IOException {
        Set<Integer> pids = new LinkedHashSet<>();
        collectGroupPids(group, pids);
        return List.copyOf(pids);
    }

    private static void collectGroupPids(Path group, Set<Integer> pids) throws IOException {
        List<String> lines;
        List<Path> children = new ArrayList<>();
        try {
            lines = Files.readAllLines(group.resolve("cgroup.procs"), StandardCharsets.US_ASCII);
            if (mayHaveChildren(group)) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(group, Files::isDirectory)) {
                    entries.forEach(children::add);
                }
            }
        } catch (NoSuchFileException e) {
            return; // removed while being read: its processes went with it
        } catch (DirectoryIteratorException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return;
            }
            throw e.getCause();
        }
        for (String line : lines) {
            if (!line.isBlank()) {
                pids.add(Integer.parseInt(line.trim()));
            }
        }
        for (Path child : children) {
            collectGroupPids(child, pids);
        }
    }

    /**
     * False when the group's {@code cgroup.stat} (cgroup v2) says it has no descendants: one small
     * read instead of listing the group's directory and asking each of its some 20 entries whether
     * it is a directory. True where there is no {@code cgroup.stat} (cgroup v1).
     */
    private static boolean mayHaveChildren(Path group) {
        try {
            for (String line : Files.readAllLines(group.resolve("cgroup.stat"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("nr_descendants ")) {
                    return !line.substring("nr_descendants ".length()).trim().equals("0");
                }
            }
            return true;
        } catch (IOException e) {
            return true;
        }
    }
}
