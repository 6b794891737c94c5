package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.FakeManager;
import io.iocagent.testbed.RecordingTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --local install} against a manager answered by a table, with stand-in procServ and
 * logrotate: the conf is written private with the standard socket, the user manager is reloaded
 * only when a unit file changed, and a log directory that cannot be baked into a unit is refused
 * before anything is written.
 */
class LocalInstallTest {

    private static final IocName A = new IocName("a");

    @TempDir
    Path root;

    private Layout layout;
    private Path boot;
    private Map<String, String> env;
    private final FakeManager manager = new FakeManager("epics-@");

    @BeforeEach
    void setUp() throws IOException {
        layout = layout(root.resolve("home/logs"));
        boot = Files.createDirectories(root.resolve("iocs/a"));
        Path cmd = Files.writeString(boot.resolve("st.cmd"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(cmd, PosixFilePermissions.fromString("rwxr-xr-x"));
        env = Map.of("IOC_RUNNER_PROCSERV_TOOL", executable("procServ").toString(),
                "IOC_RUNNER_LOGROTATE_TOOL", executable("logrotate").toString(), "PATH", "");
        manager.searchPath(List.of(layout.systemdDir()));
        source("");
    }

    private Layout layout(Path logDir) {
        Path home = root.resolve("home");
        return new Layout(Mode.LOCAL, home.resolve(".config/procServ.d"), home.resolve(".config/systemd/user"),
                root.resolve("run"), logDir, "epics-@", new Identity("u", "g"));
    }

    private Path executable(String name) throws IOException {
        Path p = Files.writeString(Files.createDirectories(root.resolve("bin")).resolve(name), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private void source(String port) throws IOException {
        Files.writeString(boot.resolve("a.conf"), "IOC_NAME=\"a\"\nIOC_USER=\"u\"\nIOC_GROUP=\"g\"\nIOC_CHDIR=\"" + boot
                + "\"\nIOC_PORT=\"" + port + "\"\nIOC_CMD=\"./st.cmd\"\n");
    }

    private RecordingTerminal install(Layout layout, boolean force) throws OperationException {
        RecordingTerminal t = RecordingTerminal.typing();
        new Installer(Session.withManager(layout, new Account("u", "g", 1000, root.resolve("home"), true), env, t, force,
                manager, manager)).install(boot.toString());
        return t;
    }

    @Test
    void aLocalInstallWritesAPrivateConfDeploysTheTemplateAndReloads() throws Exception {
        RecordingTerminal t = install(layout, false);

        String standard = IocPort.standard(layout.identity(), layout.runDir(), A);
        assertTrue(Files.readString(layout.confFile(A)).contains("IOC_PORT=\"" + standard + "\""));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(layout.confFile(A))));
        assertTrue(Files.exists(layout.templateFile()));
        assertEquals(List.of("states", "unitSearchPath", "reload"), manager.asked(),
                "reads the state, the search path, then reloads for the new template");
        assertEquals("IOC a installed in local mode. Use 'start' command to run it.", t.out.get(t.out.size() - 1));
    }

    @Test
    void aSecondInstallWithTheSameUnitsNeedsNoReload() throws Exception {
        install(layout, false);
        RecordingTerminal t = install(layout, true);
        assertEquals(1, manager.count("reload"), "unchanged unit files need no daemon-reload: " + manager.asked());
        assertTrue(t.out.contains("Info: Overwriting existing configuration file '" + layout.confFile(A) + "' (--force)."),
                t.out.toString());
    }

    @Test
    void aForeignSocketIsReplacedByTheLocalStandardOneWithAWarning() throws Exception {
        source("unix:u:g:0600:/tmp/elsewhere");
        RecordingTerminal t = install(layout, false);
        String standard = IocPort.standard(layout.identity(), layout.runDir(), A);
        assertTrue(Files.readString(layout.confFile(A)).contains("IOC_PORT=\"" + standard + "\""));
        assertEquals(List.of("Warning: " + IocPort.normalize(Mode.LOCAL, "unix:u:g:0600:/tmp/elsewhere", standard).message()),
                t.err.subList(0, 1));
    }

    @Test
    void aLogDirectoryWithWhitespaceIsRefusedBeforeAnythingIsWritten() {
        Layout spaced = layout(root.resolve("home/my logs"));
        OperationException e = assertThrows(OperationException.class, () -> install(spaced, false));
        assertEquals("resolved local log directory '" + spaced.logDir() + "' must be an absolute path with no whitespace.",
                e.getMessage());
        assertEquals(List.of("       It is baked into the user unit's --logfile and the logrotate glob.",
                "       Set IOC_RUNNER_LOG_DIR / IOC_RUNNER_LOCAL_LOG_DIR or XDG_STATE_HOME accordingly."), e.details());
        assertFalse(Files.exists(spaced.confFile(A)));
        assertEquals(List.of(), manager.asked());
    }

    @Test
    void aMissingLocalConfDirectoryIsCreated() throws Exception {
        assertFalse(Files.exists(layout.confDir()));
        install(layout, false);
        assertTrue(Files.isRegularFile(layout.confFile(A)));
    }

    @Test
    void aUserManagerThatCannotReloadIsAWarningNotAFailure() throws Exception {
        manager.failing("reload", FakeManager.failure(io.iocagent.systemd.SystemdException.Reason.BUS_UNREACHABLE,
                "Cannot reach systemd: gone.", null));
        RecordingTerminal t = install(layout, false);
        assertTrue(Files.isRegularFile(layout.confFile(A)), "the conf is installed");
        int at = t.err.indexOf("Warning: Cannot reach systemd: gone.");
        assertTrue(at >= 0, t.err.toString());
        assertEquals("  -> The configuration and unit files are installed; run 'systemctl --user daemon-reload' before 'start'.",
                t.err.get(at + 1));
        assertEquals("IOC a installed in local mode. Use 'start' command to run it.", t.out.get(t.out.size() - 1));
    }
}
