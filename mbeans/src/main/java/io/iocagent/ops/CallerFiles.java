package io.iocagent.ops;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.NoFollowFile;
import io.iocagent.posix.Posix;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which files {@code install} and {@code generate} may read for the one who asked, so that an
 * operation never shows the content of a file its caller could not read.
 *
 * <ul>
 *   <li><b>The command line</b> runs with its user's own rights: it reads what the kernel lets it
 *       read, but never through a symbolic link in the last component (another user may have
 *       planted {@code DIR/NAME.conf -> /etc/shadow} for root to show), never a FIFO or device,
 *       never more than {@link ConfFile#MAX_BYTES}.</li>
 *   <li><b>The agent in system mode</b> reads with {@code CAP_DAC_READ_SEARCH}, i.e. everything,
 *       for an operator who has no Unix identity. It reads only below the IOC trees
 *       ({@code IOC_AGENT_IOC_TREES}, default {@code /opt/epics-iocs}), walking from the tree
 *       down one component at a time without following any symbolic link, and only what a member
 *       of the IOCs' group (operators are engineers of group {@code ioc}) could read without
 *       privilege: every directory on the way searchable by that group or by everyone, the file
 *       readable by that group or by everyone, a regular file with one name.</li>
 *   <li><b>The agent in local mode</b> runs as its user, with no privilege: command-line rules.</li>
 * </ul>
 *
 * Refusals name the path and the rule, never the content.
 */
public final class CallerFiles {

    /** Where system IOC trees live unless {@code IOC_AGENT_IOC_TREES} says otherwise. */
    public static final String DEFAULT_IOC_TREES = "/opt/epics-iocs";

    private final Optional<AgentRule> agent;

    private CallerFiles(Optional<AgentRule> agent) {
        this.agent = agent;
    }

    /** The rules for the command line: the user's own rights, no symbolic link, bounded. */
    public static CallerFiles commandLine() {
        return new CallerFiles(Optional.empty());
    }

    /**
     * The rules for the agent acting for an operator: in system mode, the IOC trees of
     * {@code IOC_AGENT_IOC_TREES} (colon-separated absolute directories) and the group of
     * {@code layout}'s identity; in local mode the command line's.
     */
    public static CallerFiles agent(Layout layout, Map<String, String> env) {
        if (layout.mode() != Mode.SYSTEM) {
            return commandLine();
        }
        String setting = env.getOrDefault("IOC_AGENT_IOC_TREES", "");
        List<Path> trees = Arrays.stream((setting.isBlank() ? DEFAULT_IOC_TREES : setting).split(":"))
                .filter(s -> !s.isBlank()).map(String::strip).map(Path::of).map(Path::normalize).toList();
        return new CallerFiles(Optional.of(new AgentRule(trees, layout.identity().group())));
    }

    /**
     * Checks that the operation may work in directory {@code dir} (generate's iocBoot directory).
     * The command line may work anywhere its user can.
     */
    void checkDirectory(Path dir) throws OperationException {
        if (agent.isPresent()) {
            try (NoFollowFile d = agent.get().walk(dir, true)) {
                if (!d.isDirectory()) {
                    throw refused(dir, "not a directory");
                }
            }
        }
    }

    /**
     * The bytes of the conf at {@code file}, read under these rules.
     *
     * @throws OperationException naming the file and the problem, with a hint
     */
    byte[] readConf(Path file) throws OperationException {
        try {
            if (agent.isPresent()) {
                try (NoFollowFile f = agent.get().walk(file, false)) {
                    agent.get().requireReadable(f);
                    return ConfFile.readBytes(f);
                }
            }
            return ConfFile.readBytes(file);
        } catch (NoFollowFile.NotFollowedException e) {
            throw OperationException.failure("Cannot read " + file + ": it is a symbolic link, which is not followed.",
                    "  -> Give the path of the file itself.");
        } catch (FileSystemException e) {
            String reason = e.getReason() == null ? "" : e.getReason();
            if (reason.startsWith("file too large")) {
                throw OperationException.failure("Cannot read " + file + ": " + reason + ".",
                        "  -> Check that this is the conf you meant; a larger limit can be set with"
                                + " IOC_RUNNER_CONF_MAX_BYTES.");
            }
            throw OperationException.failure("Cannot read " + file + ": " + (e instanceof NoSuchFileException
                    ? "no such file" : reason.isEmpty() ? e.getClass().getSimpleName() : reason) + ".",
                    "  -> Check that the file is readable by you.");
        } catch (IOException e) {
            throw OperationException.failure("Cannot read " + file + ": " + e.getMessage(),
                    "  -> Check that the file is readable by you.");
        }
    }

    private static OperationException refused(Path path, String why) {
        return OperationException.failure("Refused to read " + path + " for an agent operation: " + why + ".",
                "  -> Over JMX/Jolokia the agent reads only files its operators' group could read, below the IOC trees"
                        + " (IOC_AGENT_IOC_TREES); stage the iocBoot directory there.");
    }

    /** The system agent's rule: below a tree, no link, readable by the IOCs' group. */
    private record AgentRule(List<Path> trees, String group) {

        /** Opens {@code path} by walking from its tree; with {@code directory}, the last step must be one. */
        NoFollowFile walk(Path path, boolean directory) throws OperationException {
            Path target = path.normalize();
            if (!target.isAbsolute() || !target.equals(path)) {
                throw refused(path, "not a plain absolute path");
            }
            Path tree = trees.stream().filter(target::startsWith).findFirst()
                    .orElseThrow(() -> refused(path, "not below an IOC tree (" + treesText() + ")"));
            List<String> components = new ArrayList<>();
            tree.relativize(target).forEach(c -> components.add(c.toString()));
            components.removeIf(String::isEmpty);
            NoFollowFile current;
            try {
                current = NoFollowFile.open(tree.toRealPath());
            } catch (IOException e) {
                throw refused(path, "the IOC tree " + tree + " cannot be opened");
            }
            try {
                for (int i = 0; i < components.size(); i++) {
                    if (!current.isDirectory()) {
                        throw refused(path, current.path() + " is not a directory");
                    }
                    if (!searchable(current)) {
                        throw refused(path, "directory " + current.path() + " is not searchable by group " + group);
                    }
                    NoFollowFile next;
                    try {
                        next = current.openIn(components.get(i));
                    } catch (NoFollowFile.NotFollowedException e) {
                        throw refused(path, e.getFile() + " is a symbolic link, which is not followed");
                    } catch (NoSuchFileException e) {
                        throw refused(path, e.getFile() + " does not exist");
                    } catch (IOException e) {
                        throw refused(path, e.getMessage());
                    }
                    current.close();
                    current = next;
                }
                if (directory && current.isDirectory() && !searchable(current)) {
                    throw refused(path, "directory " + current.path() + " is not searchable by group " + group);
                }
                NoFollowFile done = current;
                current = null;
                return done;
            } finally {
                if (current != null) {
                    current.close();
                }
            }
        }

        void requireReadable(NoFollowFile f) throws OperationException {
            if (!f.isRegularFile()) {
                throw refused(f.path(), "not a regular file");
            }
            if (f.links() != 1) {
                throw refused(f.path(), "it has " + f.links() + " names (hard links)");
            }
            int p = f.permissions();
            boolean readable = (p & 0004) != 0 || ((p & 0040) != 0 && f.groupId() == groupId());
            if (!readable) {
                throw refused(f.path(), "not readable by group " + group + " (mode " + String.format("%04o", p) + ")");
            }
        }

        private boolean searchable(NoFollowFile dir) {
            int p = dir.permissions();
            return (p & 0001) != 0 || ((p & 0010) != 0 && dir.groupId() == groupId());
        }

        private int groupId() {
            return Posix.groupId(group);
        }

        private String treesText() {
            return String.join(":", trees.stream().map(Path::toString).toList());
        }
    }
}
