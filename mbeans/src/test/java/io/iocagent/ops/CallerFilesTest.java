package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.iocagent.conf.Identity;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which files {@code install} and {@code generate} read for their caller, on temporary trees: the
 * command line's own rights without links, and the system agent's walk from an IOC tree that
 * admits only what the IOCs' group (or everyone) could read, refusing with the path and the rule.
 */
class CallerFilesTest {

    private static final List<String> AGENT_HINT = List.of("  -> Over JMX/Jolokia the agent reads only files its operators'"
            + " group could read, below the IOC trees (IOC_AGENT_IOC_TREES); stage the iocBoot directory there.");

    /** A group the test user is not in (Debian's); the agent of that group must go by "everyone". */
    private static final String OTHER_GROUP = "nogroup";

    @TempDir
    Path root;

    private Path tree;
    private Path boot;
    private Path conf;
    private String group;

    @BeforeEach
    void setUp() throws IOException {
        group = Files.readAttributes(root, PosixFileAttributes.class).group().getName();
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-x--x"));
        tree = Files.createDirectories(root.resolve("trees/iocs"));
        boot = Files.createDirectories(tree.resolve("a/iocBoot/ioca"));
        for (Path d = boot; !d.equals(root); d = d.getParent()) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-x---"));
        }
        conf = Files.writeString(boot.resolve("ioca.conf"), "IOC_NAME=\"ioca\"\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r-----"));
    }

    private CallerFiles agent(Mode mode, String trees) {
        Layout layout = new Layout(mode, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", new Identity("ioc-srv", group));
        return CallerFiles.agent(layout, trees == null ? Map.of() : Map.of("IOC_AGENT_IOC_TREES", trees));
    }

    private CallerFiles agent() {
        return agent(Mode.SYSTEM, " ::" + root.resolve("other") + ":" + tree + ": ");
    }

    /**
     * The agent of another IOCs' group than the files' (which stay the test user's, so the tests run
     * without root: only root may give a file a group its owner is not in), with every directory
     * from the IOC's boot directory up searchable by everyone unless a test says otherwise.
     */
    private CallerFiles agentOfAnotherGroup() throws IOException {
        for (Path d = boot; !d.equals(root); d = d.getParent()) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-x--x"));
        }
        Layout layout = new Layout(Mode.SYSTEM, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", new Identity("ioc-srv", OTHER_GROUP));
        return CallerFiles.agent(layout, Map.of("IOC_AGENT_IOC_TREES", tree.toString()));
    }

    private void refused(CallerFiles files, Path path, String why) {
        OperationException e = assertThrows(OperationException.class, () -> files.readConf(path), why);
        assertEquals("Refused to read " + path + " for an agent operation: " + why + ".", e.getMessage());
        assertEquals(AGENT_HINT, e.details());
    }

    @Test
    void theAgentReadsAConfItsGroupCouldRead() throws Exception {
        assertArrayEquals(Files.readAllBytes(conf), agent().readConf(conf));
        agent().checkDirectory(boot);
    }

    @Test
    void everyoneMayReadOrSearchWithoutTheGroup() throws Exception {
        CallerFiles other = agentOfAnotherGroup();
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw----r--"));
        Files.setPosixFilePermissions(boot, PosixFilePermissions.fromString("rwx-----x"));
        assertArrayEquals(Files.readAllBytes(conf), other.readConf(conf));
    }

    @Test
    void aConfOnlyItsOwnerOrAnotherGroupMayReadIsRefused() throws Exception {
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        refused(agent(), conf, "not readable by group " + group + " (mode 0600)");

        CallerFiles other = agentOfAnotherGroup();
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r-----"));
        refused(other, conf, "not readable by group " + OTHER_GROUP + " (mode 0640)");

        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw--w--w-"));
        refused(other, conf, "not readable by group " + OTHER_GROUP + " (mode 0622)");
    }

    @Test
    void aDirectoryTheGroupCannotSearchIsRefused() throws Exception {
        Path a = tree.resolve("a");
        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rwxr-----"));
        refused(agent(), conf, "directory " + a + " is not searchable by group " + group);

        CallerFiles other = agentOfAnotherGroup();
        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rwx--x---"));
        refused(other, conf, "directory " + a + " is not searchable by group " + OTHER_GROUP);

        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rwx---rw-"));
        refused(other, conf, "directory " + a + " is not searchable by group " + OTHER_GROUP);
    }

    @Test
    void checkDirectoryWantsASearchableDirectory() throws Exception {
        OperationException file = assertThrows(OperationException.class, () -> agent().checkDirectory(conf));
        assertEquals("Refused to read " + conf + " for an agent operation: not a directory.", file.getMessage());

        Files.setPosixFilePermissions(boot, PosixFilePermissions.fromString("rwxr-----"));
        OperationException dir = assertThrows(OperationException.class, () -> agent().checkDirectory(boot));
        assertEquals("Refused to read " + boot + " for an agent operation: directory " + boot
                + " is not searchable by group " + group + ".", dir.getMessage());
    }

    @Test
    void pathsOutsideTheTreesOrNotPlainAreRefused() throws Exception {
        Path outside = Files.writeString(root.resolve("outside.conf"), "x");
        refused(agent(), outside, "not below an IOC tree (" + root.resolve("other") + ":" + tree + ")");
        refused(agent(), Path.of(tree + "/a/../a/iocBoot/ioca/ioca.conf"), "not a plain absolute path");
        refused(agent(), Path.of("trees/iocs/a"), "not a plain absolute path");
        refused(agent(Mode.SYSTEM, null), conf, "not below an IOC tree (" + CallerFiles.DEFAULT_IOC_TREES + ")");
        refused(agent(Mode.SYSTEM, "  "), conf, "not below an IOC tree (" + CallerFiles.DEFAULT_IOC_TREES + ")");
    }

    @Test
    void aTreeThatCannotBeOpenedIsRefused() {
        Path gone = root.resolve("gone");
        refused(agent(Mode.SYSTEM, gone.toString()), gone.resolve("x.conf"), "the IOC tree " + gone + " cannot be opened");
    }

    @Test
    void linksMissingFilesAndFilesOnTheWayAreRefused() throws Exception {
        Path link = Files.createSymbolicLink(tree.resolve("b"), tree.resolve("a"));
        refused(agent(), link.resolve("iocBoot/ioca/ioca.conf"), link + " is a symbolic link, which is not followed");
        refused(agent(), tree.resolve("c/x.conf"), tree.resolve("c") + " does not exist");
        refused(agent(), conf.resolve("x"), conf + " is not a directory");
        refused(agent(), boot, "not a regular file");

        Path second = tree.resolve("a/second-name.conf");
        Files.createLink(second, conf);
        refused(agent(), conf, "it has 2 names (hard links)");
    }

    @Test
    void theLocalAgentAndTheCommandLineReadWithTheirOwnRights() throws Exception {
        Path outside = Files.writeString(root.resolve("outside.conf"), "x");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-------"));
        assertArrayEquals(new byte[] {'x'}, agent(Mode.LOCAL, tree.toString()).readConf(outside));
        assertArrayEquals(new byte[] {'x'}, CallerFiles.commandLine().readConf(outside));
        CallerFiles.commandLine().checkDirectory(root.resolve("anything"));
    }

    @Test
    void theCommandLineNeverFollowsALinkAndNamesWhatIsWrong() throws Exception {
        Path link = Files.createSymbolicLink(root.resolve("link.conf"), conf);
        OperationException l = assertThrows(OperationException.class, () -> CallerFiles.commandLine().readConf(link));
        assertEquals("Cannot read " + link + ": it is a symbolic link, which is not followed.", l.getMessage());
        assertEquals(List.of("  -> Give the path of the file itself."), l.details());

        Path missing = root.resolve("missing.conf");
        OperationException m = assertThrows(OperationException.class, () -> CallerFiles.commandLine().readConf(missing));
        assertEquals("Cannot read " + missing + ": no such file.", m.getMessage());
        assertEquals(List.of("  -> Check that the file is readable by you."), m.details());

        OperationException d = assertThrows(OperationException.class, () -> CallerFiles.commandLine().readConf(boot));
        assertEquals("Cannot read " + boot + ": not a regular file.", d.getMessage());

        Path big = Files.write(root.resolve("big.conf"), new byte[io.iocagent.conf.ConfFile.MAX_BYTES + 1]);
        OperationException b = assertThrows(OperationException.class, () -> CallerFiles.commandLine().readConf(big));
        assertEquals(List.of("  -> Check that this is the conf you meant; a larger limit can be set with IOC_RUNNER_CONF_MAX_BYTES."),
                b.details());
        assertEquals(true, b.getMessage().startsWith("Cannot read " + big + ": file too large"), b.getMessage());
    }
}
