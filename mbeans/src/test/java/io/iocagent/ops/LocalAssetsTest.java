package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.conf.UnitTemplates;
import io.iocagent.posix.Account;
import io.iocagent.systemd.FakeManager;
import io.iocagent.testbed.RecordingTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared assets of {@code --local install} (unit template, logrotate configuration, service
 * and timer) against a manager answered by a table, with stand-in procServ and logrotate
 * executables: absent is written, identical is left alone, different is kept unless forced or
 * confirmed (with a backup, three kept), the timer is enabled by a link only on the search path,
 * and every warning names the directory and what systemd loads instead.
 */
class LocalAssetsTest {

    private static final String PREFIX = "epics-@";

    @TempDir
    Path root;

    private Layout layout;
    private Path procServ;
    private Path logrotate;
    private Path cfgDir;
    private final FakeManager manager = new FakeManager(PREFIX);
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        Path home = root.resolve("home");
        layout = new Layout(Mode.LOCAL, home.resolve(".config/procServ.d"), home.resolve(".config/systemd/user"),
                root.resolve("run"), home.resolve("logs"), PREFIX, new Identity("alice", "alice"));
        Files.createDirectories(layout.confDir());
        cfgDir = home.resolve(".config/ioc-runner");
        procServ = executable(root.resolve("bin/procServ"), "exit 0");
        logrotate = executable(root.resolve("bin/logrotate"), "exit 0");
        env.put("IOC_RUNNER_PROCSERV_TOOL", procServ.toString());
        env.put("IOC_RUNNER_LOGROTATE_TOOL", logrotate.toString());
        env.put("PATH", "");
        manager.searchPath(List.of(Path.of("/etc/systemd/user"), layout.systemdDir()));
    }

    private static Path executable(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private Session session(boolean force, Terminal t) {
        return Session.withManager(layout, new Account("no-such-user-x", "alice", 1000, root.resolve("home"), true),
                env, t, force, manager, manager);
    }

    private boolean deploy(boolean force, Terminal t) throws OperationException {
        return LocalAssets.forInstall(session(force, t)).deploy();
    }

    private Path service() {
        return layout.systemdDir().resolve("epics-logrotate.service");
    }

    private Path timer() {
        return layout.systemdDir().resolve("epics-logrotate.timer");
    }

    private Path timerLink() {
        return layout.systemdDir().resolve("timers.target.wants/epics-logrotate.timer");
    }

    private String shippedTemplate() {
        return UnitTemplates.local(layout.confDir(), layout.logDir(), procServ);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private List<String> backups(Path file) throws IOException {
        try (Stream<Path> s = Files.list(file.getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(file.getFileName() + ".bak.")).sorted().toList();
        }
    }

    @Test
    void aFirstDeployWritesEveryAssetPrivateAndLinksTheTimer() throws Exception {
        RecordingTerminal t = RecordingTerminal.typing();
        assertTrue(deploy(false, t), "a new template needs a daemon-reload");

        assertEquals(shippedTemplate(), Files.readString(layout.templateFile()));
        assertEquals("rw-------", mode(layout.templateFile()));
        assertEquals("rwxr-x---", mode(layout.logDir()), "the log directory is created private to the user and group");
        assertEquals(UnitTemplates.localLogrotateConf(layout.logDir()), Files.readString(cfgDir.resolve("logrotate.conf")));
        assertEquals("rwx------", mode(cfgDir));
        assertEquals(UnitTemplates.localLogrotateService(logrotate, cfgDir), Files.readString(service()));
        assertEquals(UnitTemplates.localLogrotateTimer(), Files.readString(timer()));
        assertTrue(Files.isSymbolicLink(timerLink()), "the timer is enabled as systemctl enable does");
        assertEquals(timer().toAbsolutePath(), Files.readSymbolicLink(timerLink()));
        assertEquals(List.of(
                "Deployed user-level systemd template to " + layout.templateFile() + ".",
                "Deployed local logrotate configuration to " + cfgDir.resolve("logrotate.conf") + ".",
                "Deployed local logrotate service to " + service() + ".",
                "Deployed local logrotate timer to " + timer() + ".",
                "Enabled epics-logrotate.timer (hourly local log rotation)."), t.out);
        assertEquals(List.of(
                "Note: start it now with 'systemctl --user start epics-logrotate.timer' (it starts by itself with your user manager).",
                "Note: user lingering is off; 'loginctl enable-linger no-such-user-x' to run IOCs and log rotation while logged out."),
                t.err);
        try (Stream<Path> s = Files.list(cfgDir)) {
            assertEquals(List.of("logrotate.conf"), s.map(p -> p.getFileName().toString()).toList(),
                    "the validation's temporary files are removed");
        }
        assertEquals(List.of("unitSearchPath"), manager.asked(), "deploying asks systemd nothing but its search path");
    }

    @Test
    void aSecondDeployOfTheSameAssetsChangesNothing() throws Exception {
        deploy(false, RecordingTerminal.typing());
        RecordingTerminal t = RecordingTerminal.typing();
        assertFalse(deploy(false, t), "identical assets need no reload");
        assertEquals(List.of(), t.out, "nothing deployed, nothing enabled again");
        assertEquals(List.of(), backups(layout.templateFile()));
    }

    @Test
    void aDifferentTemplateIsKeptWithoutATerminalAndTheRunningIocsAreNamed() throws Exception {
        deploy(false, RecordingTerminal.typing());
        Files.writeString(layout.templateFile(), "[Service]\n# edited\n");
        manager.running("b").running("a").held("c", "inactive", "dead");
        List<String> err = new java.util.ArrayList<>();
        List<String> out = new java.util.ArrayList<>();

        assertFalse(LocalAssets.forInstall(Session.withManager(layout, new Account("u", "u", 1000, root, true), env,
                io.iocagent.testbed.ScriptTerminal.of(out::add, err::add), false, manager, manager)).deploy());

        assertEquals("[Service]\n# edited\n", Files.readString(layout.templateFile()));
        assertEquals(List.of(
                "Notice: the installed user systemd template differs from the shipped version.",
                "  Updating it changes the unit shared by these running IOC services:",
                "    epics-@a.service epics-@b.service",
                "  Non-interactive; keeping the existing user systemd template (use --force to update)."), err.subList(0, 4));
        assertEquals(List.of(), out);
    }

    @Test
    void aDifferentTemplateIsUpdatedWhenForcedWithABackup() throws Exception {
        deploy(false, RecordingTerminal.typing());
        Files.writeString(layout.templateFile(), "old\n");
        RecordingTerminal t = RecordingTerminal.typing();

        assertTrue(deploy(true, t));

        assertEquals(shippedTemplate(), Files.readString(layout.templateFile()));
        List<String> backups = backups(layout.templateFile());
        assertEquals(1, backups.size(), backups.toString());
        assertTrue(backups.get(0).matches("epics-@\\.service\\.bak\\.\\d{8}_\\d{6}"), backups.get(0));
        Path backup = layout.systemdDir().resolve(backups.get(0));
        assertEquals("old\n", Files.readString(backup));
        assertEquals("Info: Updating user systemd template (--force).", t.err.get(0));
        assertEquals(List.of("Backed up existing epics-@.service to " + backup,
                "Updated user-level systemd template at " + layout.templateFile() + "."), t.out);
    }

    @Test
    void onlyTheThreeNewestBackupsAreKept() throws Exception {
        deploy(false, RecordingTerminal.typing());
        Path dir = layout.systemdDir();
        for (int i = 1; i <= 4; i++) {
            Path old = Files.writeString(dir.resolve("epics-@.service.bak.2020010" + i + "_000000"), "old " + i);
            Files.setLastModifiedTime(old, FileTime.from(Instant.parse("2020-01-0" + i + "T00:00:00Z")));
        }
        Files.writeString(dir.resolve("other.bak.1"), "not a backup of the template");
        Files.writeString(layout.templateFile(), "old\n");

        deploy(true, RecordingTerminal.typing());

        List<String> kept = backups(layout.templateFile());
        assertEquals(3, kept.size(), kept.toString());
        assertTrue(kept.contains("epics-@.service.bak.20200104_000000"), kept.toString());
        assertTrue(kept.contains("epics-@.service.bak.20200103_000000"), kept.toString());
        assertFalse(kept.contains("epics-@.service.bak.20200102_000000"), "older backups go: " + kept);
        assertTrue(Files.exists(dir.resolve("other.bak.1")), "other files are left alone");
    }

    @Test
    void aPersonAtTheTerminalDecidesAboutADifferentTemplate() throws Exception {
        deploy(false, RecordingTerminal.typing());
        Files.writeString(layout.templateFile(), "old\n");

        RecordingTerminal no = RecordingTerminal.typing("n");
        assertFalse(deploy(false, no));
        assertEquals(List.of("  Update it now? [y/N]: "), no.prompts);
        assertEquals("  Keeping the existing user systemd template.", no.err.get(1));
        assertEquals("old\n", Files.readString(layout.templateFile()));

        RecordingTerminal closed = RecordingTerminal.typing();
        assertFalse(deploy(false, closed));
        assertEquals(List.of("Notice: the installed user systemd template differs from the shipped version.", "",
                "  Input stream closed; keeping the existing user systemd template."), closed.err.subList(0, 3));
        assertEquals("old\n", Files.readString(layout.templateFile()));

        RecordingTerminal yes = RecordingTerminal.typing("y");
        assertTrue(deploy(false, yes));
        assertEquals(shippedTemplate(), Files.readString(layout.templateFile()));
        assertEquals("Updated user-level systemd template at " + layout.templateFile() + ".", yes.out.get(1));
    }

    @Test
    void aUnitDirectoryOffTheSearchPathIsWrittenButNotLinkedAndSaysSo() throws Exception {
        manager.searchPath(List.of(root.resolve("elsewhere")));
        RecordingTerminal t = RecordingTerminal.typing();

        assertTrue(deploy(false, t));

        assertTrue(Files.exists(layout.templateFile()));
        assertFalse(Files.exists(timerLink(), java.nio.file.LinkOption.NOFOLLOW_LINKS), "nothing is enabled off the path");
        Path dir = layout.systemdDir().toAbsolutePath().normalize();
        assertEquals(List.of(
                "Warning: " + dir + " is not on the user manager's unit search path;",
                "         nothing was linked into it, so systemd does not load epics-@.service from there",
                "         and 'start' will find no epics-@NAME.service unit.",
                "         The log rotation units there are not enabled either.",
                "  -> Use the manager's unit directory (unset IOC_RUNNER_SYSTEMD_DIR / IOC_RUNNER_LOCAL_SYSTEMD_DIR,",
                "     with HOME as the user manager's), or put this directory on its search path yourself."),
                t.err.subList(0, 6));
    }

    @Test
    void offTheSearchPathTheWarningNamesTheTemplateSystemdLoadsInstead() throws Exception {
        Path other = Files.createDirectories(root.resolve("etc-user"));
        Files.writeString(other.resolve("epics-@.service"), "[Service]\n");
        manager.searchPath(List.of(other, root.resolve("missing")));
        RecordingTerminal t = RecordingTerminal.typing();

        deploy(false, t);

        assertEquals("         (it uses " + other.resolve("epics-@.service") + ", which this install did not change).",
                t.err.get(2));
    }

    @Test
    void aTemplateEarlierOnTheSearchPathShadowsTheDeployedOne() throws Exception {
        Path before = Files.createDirectories(root.resolve("before"));
        Path after = Files.createDirectories(root.resolve("after"));
        Files.writeString(after.resolve("epics-@.service"), "[Service]\n");
        manager.searchPath(List.of(before, layout.systemdDir(), after));
        RecordingTerminal quiet = RecordingTerminal.typing();
        deploy(false, quiet);
        assertTrue(quiet.err.stream().noneMatch(l -> l.startsWith("Warning")),
                "a template after the unit directory does not shadow it: " + quiet.err);

        Path shadow = Files.writeString(before.resolve("epics-@.service"), "[Service]\n");
        RecordingTerminal t = RecordingTerminal.typing();
        deploy(false, t);
        Path dir = layout.systemdDir().toAbsolutePath().normalize();
        assertEquals(List.of(
                "Warning: systemd loads epics-@.service from " + shadow + ", which comes before " + dir
                        + " on its unit search path; the template written here is not used.",
                "  -> Remove or update " + shadow + " if the IOCs should use this one."), t.err.subList(0, 2));
    }

    @Test
    void aRotationConfigurationLogrotateRejectsIsNotInstalled() throws Exception {
        executable(logrotate, "echo \"error: line 1\"; echo l2; echo l3; echo l4; echo l5; echo l6; exit 1");
        RecordingTerminal t = RecordingTerminal.typing();

        assertTrue(deploy(false, t), "the template still counts");

        assertEquals(List.of("Warning: the local logrotate configuration did not validate; rotation not installed.",
                "         error: line 1", "         l2", "         l3", "         l4", "         l5"), t.err.subList(0, 6));
        assertFalse(Files.exists(cfgDir.resolve("logrotate.conf")));
        assertFalse(Files.exists(timer()));
        try (Stream<Path> s = Files.list(cfgDir)) {
            assertEquals(0, s.count(), "no temporary file is left");
        }
    }

    @Test
    void theValidationRunsLogrotateInDebugModeOnTheShippedConfiguration() throws Exception {
        Path seen = root.resolve("seen");
        executable(logrotate, "echo \"$@\" > " + seen + "; cat \"$4\" >> " + seen);
        deploy(false, RecordingTerminal.typing());
        List<String> lines = Files.readAllLines(seen);
        assertTrue(lines.get(0).matches("-d --state " + cfgDir + "/\\.logrotate\\.state\\.\\d+\\.check " + cfgDir
                + "/\\.logrotate\\.conf\\.\\d+\\.check"), lines.get(0));
        assertEquals(UnitTemplates.localLogrotateConf(layout.logDir()), String.join("\n", lines.subList(1, lines.size())) + "\n");
    }

    @Test
    void aRotationDirectoryThatCannotBeCreatedOnlyWarns() throws Exception {
        Files.writeString(cfgDir, "a file where the directory goes");
        RecordingTerminal t = RecordingTerminal.typing();
        assertTrue(deploy(false, t));
        assertEquals("Warning: cannot create " + cfgDir + " or " + layout.systemdDir() + "; rotation not installed.",
                t.err.get(0));
        assertFalse(Files.exists(timer()));
    }

    @Test
    void aRotationUnitThatCannotBeWrittenOnlyWarns() throws Exception {
        Files.createDirectories(service().resolve("in-the-way"));
        RecordingTerminal t = RecordingTerminal.typing();
        assertTrue(deploy(true, t));
        assertEquals("Info: Updating logrotate service unit (--force).", t.err.get(0));
        assertTrue(t.err.get(1).startsWith("Warning: local log rotation not installed: "), t.err.toString());
        assertFalse(Files.exists(timer()), "the timer comes after the service");
    }

    @Test
    void aTemplateThatCannotBeWrittenFailsTheInstallWithWhatToDo() throws Exception {
        Files.createDirectories(layout.systemdDir().getParent());
        Files.writeString(layout.systemdDir(), "a file where the unit directory goes");
        OperationException e = assertThrows(OperationException.class, () -> deploy(false, RecordingTerminal.typing()));
        assertTrue(e.getMessage().startsWith("Unable to deploy the user systemd template " + layout.templateFile() + ": "),
                e.getMessage());
        assertEquals(List.of("  -> The configuration is installed; fix the permissions of " + layout.systemdDir()
                + " and run install again."), e.details());
    }

    @Test
    void aLogDirectoryThatCannotBeCreatedFailsBeforeAnythingIsWritten() throws Exception {
        Files.createDirectories(layout.logDir().getParent());
        Files.writeString(layout.logDir(), "a file where the log directory goes");
        OperationException e = assertThrows(OperationException.class, () -> deploy(false, RecordingTerminal.typing()));
        assertTrue(e.getMessage().startsWith("Cannot create the log directory " + layout.logDir() + ": "), e.getMessage());
        assertEquals(List.of("  -> Create it yourself or set IOC_RUNNER_LOCAL_LOG_DIR."), e.details());
        assertFalse(Files.exists(layout.templateFile()));
    }

    @Test
    void anUnreachableManagerFailsBeforeAnythingIsWritten() {
        manager.unreachable("no bus");
        OperationException e = assertThrows(OperationException.class,
                () -> LocalAssets.forInstall(session(false, RecordingTerminal.typing())));
        assertEquals("Cannot reach systemd: no bus.", e.getMessage());
        assertFalse(Files.exists(layout.logDir()));
    }

    @Test
    void aProcServOverrideThatIsNoExecutableIsRefused() throws Exception {
        Files.setPosixFilePermissions(procServ, PosixFilePermissions.fromString("rw-r--r--"));
        OperationException e = assertThrows(OperationException.class, () -> deploy(false, RecordingTerminal.typing()));
        assertEquals("IOC_RUNNER_PROCSERV_TOOL '" + procServ + "' is not an executable file.", e.getMessage());
        assertEquals(List.of("  -> Point it at the procServ binary, or unset it to use the standard paths."), e.details());

        env.put("IOC_RUNNER_PROCSERV_TOOL", root.toString());
        assertThrows(OperationException.class, () -> deploy(false, RecordingTerminal.typing()), "a directory is no executable");
    }

    @Test
    void procServInATrustedHomeComesFirstAndAnUntrustedHomeIsNotSearched() throws Exception {
        env.remove("IOC_RUNNER_PROCSERV_TOOL");
        Path mine = executable(root.resolve("home/.local/bin/procServ"), "exit 0");
        deploy(false, RecordingTerminal.typing());
        assertEquals(UnitTemplates.local(layout.confDir(), layout.logDir(), mine), Files.readString(layout.templateFile()));

        Files.delete(layout.templateFile());
        Session untrusted = Session.withManager(layout, new Account("u", "u", 1000, root.resolve("home"), false), env,
                RecordingTerminal.typing(), false, manager, manager);
        try {
            LocalAssets.forInstall(untrusted).deploy();
            assertFalse(Files.readString(layout.templateFile()).contains(mine.toString()),
                    "an untrusted HOME never supplies the executable");
        } catch (OperationException e) {
            assertEquals("procServ executable not found in standard paths.", e.getMessage());
        }
    }
}
