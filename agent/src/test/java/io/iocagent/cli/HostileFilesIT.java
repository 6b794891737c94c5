package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.jmx.Operations;
import io.iocagent.jmx.Sessions;
import io.iocagent.ops.Session;
import io.iocagent.posix.Account;
import io.iocagent.testbed.OtherUser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import javax.management.MBeanException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Files planted by another user, and files nobody should hand the agent (issue 10 D3, D4, D6, D8,
 * D14): root runs the command line or the agent in a directory a throwaway user controls, and
 * nothing is followed, chmodded, disclosed or accepted that should not be. The operations are the
 * real ones; the agent's are called through {@link Operations} on sessions like the daemon's
 * (system mode, on a shared connection) with no systemd behind them — every refusal here comes
 * before systemd would be asked.
 */
class HostileFilesIT {

    private static final String SECRET = "TOP-SECRET-7f3a";

    private OtherUser other;
    private Path root;
    private Path secret;

    @BeforeEach
    void setUp() throws IOException {
        other = OtherUser.create();
        root = Files.createTempDirectory("ioc-hostile-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        secret = OtherUser.rootFile(root.resolve("root-only.txt"),
                "IOC_CHDIR=\"/" + SECRET + "\"\nIOC_CMD=\"./st.cmd\"\n# " + SECRET + "\n", "rw-------");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (other == null) {   // skipped: the test bed (root, a throwaway user) was unavailable
            return;
        }
        other.close();
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---- D4: never chmod or write through a planted link ----

    @Test
    void rootsGenerateNeitherFollowsNorChmodsAPlantedHistoryLink() throws Exception {
        Path dir = othersIocBoot("hist");
        other.as("ln", "-s", secret.toString(), dir.resolve(".iocsh_history").toString());

        CliRun run = CliRun.of(systemEnv(), "generate", dir.toString(), "-f");

        assertEquals(0, run.exit(), run.transcript());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)),
                "the root-only file behind the planted .iocsh_history link was chmodded by generate");
        assertTrue(Files.isSymbolicLink(dir.resolve(".iocsh_history")), "the link is left as it is");
        assertTrue(run.err().contains(".iocsh_history is a symbolic link; it is neither followed nor changed"),
                run.transcript());
    }

    @Test
    void rootsGenerateRefusesAPlantedConfLinkAndShowsNothingOfItsTarget() throws Exception {
        Path dir = othersIocBoot("conflink");
        other.as("ln", "-s", secret.toString(), dir.resolve("conflink.conf").toString());

        CliRun run = CliRun.of(systemEnv(), "generate", dir.toString(), "-f");

        assertEquals(1, run.exit(), run.transcript());
        assertFalse(run.transcript().contains(SECRET), "generate showed the target of a planted link:\n" + run.transcript());
        assertTrue(run.err().contains("conflink.conf is a symbolic link; generate neither reads nor replaces it"),
                run.transcript());
        assertTrue(Files.isSymbolicLink(dir.resolve("conflink.conf")));
        assertTrue(Files.readString(secret).contains(SECRET), "the link's target is unchanged");
    }

    // ---- D3: the command line does not follow a planted link to show someone else's file ----

    @Test
    void rootsInstallRefusesAPlantedLinkInsteadOfShowingItsTarget() throws Exception {
        Path dir = othersIocBoot("instlink");
        other.as("ln", "-s", secret.toString(), dir.resolve("instlink.conf").toString());

        CliRun run = CliRun.of(localEnv(), "--local", "install", dir.resolve("instlink.conf").toString(), "-f");

        assertEquals(1, run.exit(), run.transcript());
        assertFalse(run.transcript().contains(SECRET), "install showed the target of a planted link:\n" + run.transcript());
        assertTrue(run.err().contains("it is a symbolic link, which is not followed"), run.transcript());
    }

    // ---- D3: the agent reads only what the operators' group could, below the IOC trees ----

    @Test
    void agentInstallOfAFileOutsideTheIocTreesIsRefusedWithoutQuotingIt() throws Exception {
        String firstLine = Files.readAllLines(Path.of("/etc/shadow")).get(0);

        MBeanException e = assertThrows(MBeanException.class, () -> agent().install("/etc/shadow", true));

        assertFalse(e.getMessage().contains(firstLine), "install over JMX quoted /etc/shadow:\n" + e.getMessage());
        assertTrue(e.getMessage().contains("Refused to read /etc/shadow for an agent operation: not below an IOC tree ("
                + trees() + ")"), e.getMessage());
    }

    @Test
    void agentGenerateRefusesAConfLinkInsideAnIocTree() throws Exception {
        Path dir = treeIocBoot("agentgen");
        other.as("ln", "-s", secret.toString(), dir.resolve("agentgen.conf").toString());

        MBeanException e = assertThrows(MBeanException.class, () -> agent().generate(dir.toString(), false));

        assertFalse(e.getMessage().contains(SECRET), "generate over JMX showed a link's target:\n" + e.getMessage());
        assertTrue(e.getMessage().contains("agentgen.conf is a symbolic link"), e.getMessage());
    }

    @Test
    void agentInstallRefusesAFileTheOperatorsGroupCannotRead() throws Exception {
        Path dir = treeIocBoot("private");
        Path conf = Files.writeString(dir.resolve("private.conf"), Files.readString(secret));
        other.owns(conf);
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));

        MBeanException e = assertThrows(MBeanException.class, () -> agent().install(conf.toString(), true));

        assertFalse(e.getMessage().contains(SECRET), "install over JMX disclosed a private file:\n" + e.getMessage());
        assertTrue(e.getMessage().contains("not readable by group " + other.group() + " (mode 0600)"), e.getMessage());
    }

    @Test
    void agentInstallRefusesAPathThroughAPrivateOrLinkedDirectory() throws Exception {
        Path closed = Files.createDirectories(tree().resolve("closed"));
        Path conf = Files.writeString(closed.resolve("inner.conf"), Files.readString(secret));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        Path linked = tree().resolve("linked");
        other.as("ln", "-s", closed.toString(), linked.toString());

        MBeanException privateDir = assertThrows(MBeanException.class, () -> agent().install(conf.toString(), true));
        MBeanException viaLink = assertThrows(MBeanException.class,
                () -> agent().install(linked.resolve("inner.conf").toString(), true));

        assertTrue(privateDir.getMessage().contains("directory " + closed + " is not searchable by group"),
                privateDir.getMessage());
        assertTrue(viaLink.getMessage().contains(linked + " is a symbolic link, which is not followed"), viaLink.getMessage());
        assertFalse(privateDir.getMessage().contains(SECRET) || viaLink.getMessage().contains(SECRET));
    }

    @Test
    void agentInstallReadsAGroupReadableConfBelowATree() throws Exception {
        Path dir = treeIocBoot("fine");
        Path conf = Files.writeString(dir.resolve("fine.conf"), "IOC_USER=\"nobody\"\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));

        MBeanException e = assertThrows(MBeanException.class, () -> agent().install(conf.toString(), true));

        assertFalse(e.getMessage().contains("Refused to read"), e.getMessage());
        assertTrue(e.getMessage().contains("Validation of " + conf + " failed"), "it was read and validated: " + e.getMessage());
    }

    @Test
    void viewOverJmxRefusesAnInstalledConfThatIsALink() throws Exception {
        Path confDir = Files.createDirectories(root.resolve("conf"));
        other.owns(confDir);
        other.as("ln", "-s", secret.toString(), confDir.resolve("viewed.conf").toString());

        MBeanException e = assertThrows(MBeanException.class, () -> agent(localEnv(), Mode.LOCAL)
                .view(new IocName("viewed")));

        assertFalse(e.getMessage().contains(SECRET), "view showed the target of a planted link:\n" + e.getMessage());
        assertTrue(e.getMessage().contains(confDir.resolve("viewed.conf") + ": is a symbolic link, which is not followed"),
                e.getMessage());
    }

    // ---- D8: the procServ log is read only when it is the IOC's own file ----

    @Test
    void tailLogRefusesAPlantedLogLinkWithoutShowingItsTarget() throws Exception {
        Path log = othersLogDir().resolve("linked.log");
        other.as("ln", "-s", secret.toString(), log.toString());

        MBeanException e = assertThrows(MBeanException.class, () -> agent(localEnv(), Mode.LOCAL)
                .tailLog(new IocName("linked"), 10));

        assertFalse(e.getMessage().contains(SECRET), "tailLog showed the target of a planted link:\n" + e.getMessage());
        assertTrue(e.getMessage().startsWith("log not readable: " + log + " is a symbolic link, which is not followed"),
                e.getMessage());
    }

    @Test
    void tailLogRefusesALogThatBelongsToAnotherUser() throws Exception {
        Path log = othersLogDir().resolve("foreign.log");
        other.as("sh", "-c", "echo 'FATAL " + SECRET + "' > " + log);

        MBeanException e = assertThrows(MBeanException.class, () -> agent(localEnv(), Mode.LOCAL)
                .tailLog(new IocName("foreign"), 10));

        assertFalse(e.getMessage().contains(SECRET), "tailLog showed another user's file:\n" + e.getMessage());
        assertTrue(e.getMessage().startsWith("log not readable: " + log + " belongs to uid " + other.uid()
                + ", not to the IOC's user root"), e.getMessage());
    }

    @Test
    void tailLogStillShowsTheIocsOwnLog() throws Exception {
        Path log = othersLogDir().resolve("own.log");
        Files.writeString(log, "line one\r\nline two\r\n");

        assertEquals(java.util.List.of("line one", "line two"), agent(localEnv(), Mode.LOCAL).tailLog(new IocName("own"), 10));
    }

    // ---- D6 / 14.7 and D14 at install ----

    @Test
    void installRefusesAHugeConfNamingItsSizeAndTheLimit() throws Exception {
        Path conf = root.resolve("huge.conf");
        try (RandomAccessFile f = new RandomAccessFile(conf.toFile(), "rw")) {
            f.setLength(100L * 1024 * 1024);
        }

        CliRun run = CliRun.of(localEnv(), "--local", "install", conf.toString(), "-f");

        assertEquals(1, run.exit(), run.transcript());
        assertTrue(run.err().contains("Cannot read " + conf + ": file too large (104857600 bytes, limit 65536)"),
                run.transcript());
        assertTrue(run.err().contains("IOC_RUNNER_CONF_MAX_BYTES"), "the hint names the setting: " + run.transcript());
    }

    @Test
    void installRefusesANulInAQuotedValueNamingTheLine() throws Exception {
        Path dir = othersIocBoot("nul");
        Path conf = Files.writeString(dir.resolve("nul.conf"), "IOC_CHDIR=\"" + dir + "\"\nIOC_CMD=\"./st.cmd\"\n"
                + "EPICS_CA_ADDR_LIST=\"10.0.0.1\u0000 10.0.0.2\"\n");

        CliRun run = CliRun.of(localEnv(), "--local", "install", conf.toString(), "-f");

        assertEquals(1, run.exit(), run.transcript());
        assertTrue(run.err().contains("(line 3: control character U+0000 (NUL) at column 29"), run.transcript());
        assertFalse(Files.exists(root.resolve("conf/nul.conf")), "nothing installed");
    }

    // ---- fixtures ----

    /** An iocBoot directory owned by the other user, with an executable st.cmd. */
    private Path othersIocBoot(String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve("others").resolve(name));
        Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cmd = Files.writeString(dir.resolve("st.cmd"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(cmd, PosixFilePermissions.fromString("rwxr-xr-x"));
        other.owns(cmd);
        other.owns(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
        return dir;
    }

    private Path tree() throws IOException {
        Path tree = Files.createDirectories(root.resolve("trees/epics-iocs"));
        Files.setPosixFilePermissions(tree.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        // root:ioc 2775 in a real installation; here the other user's group stands for ioc
        Files.getFileAttributeView(tree, PosixFileAttributeView.class).setGroup(tree.getFileSystem()
                .getUserPrincipalLookupService().lookupPrincipalByGroupName(other.group()));
        Files.setPosixFilePermissions(tree, PosixFilePermissions.fromString("rwxrwxr-x"));
        return tree;
    }

    private String trees() throws IOException {
        return tree().toString();
    }

    /** An iocBoot directory below the IOC tree, writable by the other user as by group ioc. */
    private Path treeIocBoot(String name) throws IOException {
        Path dir = Files.createDirectories(tree().resolve(name));
        Path cmd = Files.writeString(dir.resolve("st.cmd"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(cmd, PosixFilePermissions.fromString("rwxr-xr-x"));
        other.owns(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
        return dir;
    }

    private Map<String, String> localEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", root.toString());
        env.put("PATH", "/usr/bin:/bin");
        env.put("IOC_RUNNER_CONF_DIR", root.resolve("conf").toString());
        env.put("IOC_RUNNER_SYSTEMD_DIR", root.resolve("systemd").toString());
        env.put("IOC_RUNNER_LOG_DIR", root.resolve("log").toString());
        env.put("IOC_RUNNER_UNIT_TEMPLATE", "ioc-hostile-@");
        env.put("IOC_RUNNER_AUDIT_SOCKET", root.resolve("no-syslog-here").toString());
        env.put("XDG_RUNTIME_DIR", root.resolve("no-runtime-dir").toString());
        return env;
    }

    private Map<String, String> systemEnv() {
        Map<String, String> env = localEnv();
        env.put("IOC_RUNNER_SYSTEM_USER", other.name());
        env.put("IOC_RUNNER_SYSTEM_GROUP", other.group());
        return env;
    }

    /** The log directory, writable by the other user (as group ioc may write /var/log/procserv). */
    private Path othersLogDir() throws IOException {
        Path dir = Files.createDirectories(root.resolve("log"));
        other.owns(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
        return dir;
    }

    /** Operations as the system-mode agent runs them: a shared connection (none here), the IOC trees. */
    private Operations agent() throws IOException {
        Map<String, String> env = systemEnv();
        env.put("IOC_AGENT_IOC_TREES", trees());
        return agent(env, Mode.SYSTEM);
    }

    private Operations agent(Map<String, String> env, Mode mode) {
        Layout layout = Layout.resolve(mode, env, Account.current(env));
        Sessions sessions = (terminal, force) -> Session.onSharedBus(layout, Account.current(env), env, terminal, force,
                () -> {
                    throw new IllegalStateException("no systemd in this test");
                });
        return new Operations(sessions, () -> { });
    }
}
