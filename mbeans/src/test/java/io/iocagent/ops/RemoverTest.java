package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.FakeManager;
import io.iocagent.systemd.SystemdException;
import io.iocagent.testbed.ScriptTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code remove NAME} against a manager answered by a table: stop, disable, check, delete the conf
 * and the stale socket directory, reload — and a unit that did not stop keeps its conf, with
 * what stop reported and what to do.
 */
class RemoverTest {

    private static final IocName A = new IocName("a");

    @TempDir
    Path root;

    private final FakeManager manager = new FakeManager("epics-@");
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();

    private Layout layout(Mode mode) throws IOException {
        Layout layout = new Layout(mode, root.resolve(mode + "/conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", new Identity("u", "g"));
        Files.createDirectories(layout.confDir());
        return layout;
    }

    private void remove(Layout layout, int uid) throws OperationException {
        new Remover(Session.withManager(layout, new Account("u", "g", uid, root, true), Map.of(),
                ScriptTerminal.of(out::add, err::add), false, manager, manager)).remove(A);
    }

    @Test
    void aLocalIocIsStoppedDisabledDeletedAndTheManagerReloaded() throws Exception {
        Layout layout = layout(Mode.LOCAL);
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\n");
        Path socket = Files.createDirectories(layout.socketDir(A));
        Files.writeString(socket.resolve("control"), "");
        manager.put(FakeManager.state(manager.unit("a"), "active", "running", 4000, "enabled"));
        Path log = Files.writeString(Files.createDirectories(layout.logDir()).resolve("a.log"), "history\n");

        remove(layout, 1000);

        assertFalse(Files.exists(layout.confFile(A)));
        assertFalse(Files.exists(socket), "the stale socket directory goes too");
        assertEquals("inactive", manager.held(manager.unit("a")).activeState());
        assertEquals("disabled", manager.held(manager.unit("a")).unitFileState());
        assertEquals(List.of("stop", "disable", "states", "reload"), manager.asked());
        assertEquals(List.of("IOC a removed."), out);
        assertEquals(List.of(), err);
        assertEquals("history\n", Files.readString(log), "logs are never deleted");
    }

    @Test
    void aSystemIocOfAUserWithoutRootIsDisabledOnlyWhenEnabled() throws Exception {
        Layout layout = layout(Mode.SYSTEM);
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\n");
        manager.held("a", "inactive", "dead");

        remove(layout, 1000);

        assertEquals(List.of("states", "stop", "states", "reload"), manager.asked(),
                "the unit file state decides; a disabled unit needs no sudo");
        assertFalse(Files.exists(layout.confFile(A)));
    }

    @Test
    void rootRemovesASystemIocOverTheBus() throws Exception {
        Layout layout = layout(Mode.SYSTEM);
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\n");
        manager.running("a");
        remove(layout, 0);
        assertEquals(List.of("stop", "disable", "states", "reload"), manager.asked());
    }

    @Test
    void aUnitThatDoesNotStopKeepsItsConfAndSaysWhy() throws Exception {
        Layout layout = layout(Mode.LOCAL);
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\n");
        manager.running("a");
        manager.jobs((m, op, unit) -> {
            throw FakeManager.failure(SystemdException.Reason.PERMISSION_DENIED, "Access denied\nby policy", null);
        });

        OperationException e = assertThrows(OperationException.class, () -> remove(layout, 1000));

        assertTrue(e.reported());
        assertEquals("Removal of a aborted: unit still active", e.getMessage());
        assertEquals(List.of("Error: Removal aborted. Service 'epics-@a.service' did not stop (State: active).",
                "  stop reported:", "    Access denied", "    by policy",
                "  -> Check permissions and the unit state (ioc-runner --local status a), then re-run remove."), err);
        assertTrue(Files.exists(layout.confFile(A)), "the conf stays while the unit runs");
        assertFalse(manager.asked().contains("reload"));
    }

    @Test
    void aNameThatIsNotInstalledIsRefusedBeforeSystemdIsAsked() throws Exception {
        Layout layout = layout(Mode.LOCAL);
        OperationException e = assertThrows(OperationException.class, () -> remove(layout, 1000));
        assertEquals("No configuration found for IOC 'a' (looked in " + layout.confDir() + ").", e.getMessage());
        assertEquals("  -> Nothing to remove: the IOC is not installed in local mode.", e.details().get(0));
        assertEquals(List.of(), manager.asked());
    }

    @Test
    void aUnitThatCouldNotBeDisabledIsRemovedWithAWarning() throws Exception {
        Layout layout = layout(Mode.LOCAL);
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\n");
        manager.put(FakeManager.state(manager.unit("a"), "active", "running", 4000, "enabled"));
        manager.failing("disable", FakeManager.failure(SystemdException.Reason.PERMISSION_DENIED, "Access denied", "ask polkit"));

        remove(layout, 1000);

        assertEquals(List.of("Warning: could not disable 'epics-@a.service'; it may still start at boot.",
                "    Access denied", "      -> ask polkit"), err);
        assertFalse(Files.exists(layout.confFile(A)));
        assertEquals(List.of("IOC a removed."), out);
    }

    @Test
    void aNameInstalledInTheOtherModeOrWithAStaleSocketDirectorySaysSo() throws Exception {
        Path systemConfs = Files.createDirectories(root.resolve("system-confs"));
        Path localConfs = Files.createDirectories(root.resolve("local-confs"));
        Files.writeString(systemConfs.resolve("a.conf"), "IOC_NAME=\"a\"\n");
        Files.writeString(localConfs.resolve("a.conf"), "IOC_NAME=\"a\"\n");
        Map<String, String> env = Map.of("IOC_RUNNER_SYSTEM_CONF_DIR", systemConfs.toString(),
                "IOC_RUNNER_LOCAL_CONF_DIR", localConfs.toString());
        Layout local = layout(Mode.LOCAL);
        Files.createDirectories(local.socketDir(A));
        OperationException fromLocal = assertThrows(OperationException.class, () -> new Remover(Session.withManager(local,
                new Account("u", "g", 1000, root, true), env, ScriptTerminal.quiet(), false, manager, manager)).remove(A));
        assertEquals(List.of("  -> Nothing to remove: the IOC is not installed in local mode.",
                "  -> It is installed in system mode (" + systemConfs.resolve("a.conf") + "): ioc-runner remove a",
                "  -> A stale socket directory exists at " + local.socketDir(A) + "; remove it manually if orphaned."),
                fromLocal.details());

        Layout system = layout(Mode.SYSTEM);
        OperationException fromSystem = assertThrows(OperationException.class, () -> new Remover(Session.withManager(system,
                new Account("u", "g", 1000, root, true), env, ScriptTerminal.quiet(), false, manager, manager)).remove(A));
        assertEquals("  -> It is installed in local mode (" + localConfs.resolve("a.conf") + "): ioc-runner --local remove a",
                fromSystem.details().get(1));

        Files.delete(systemConfs.resolve("a.conf"));
        OperationException nowhere = assertThrows(OperationException.class, () -> new Remover(Session.withManager(local,
                new Account("u", "g", 1000, root, true), env, ScriptTerminal.quiet(), false, manager, manager)).remove(A));
        assertEquals(2, nowhere.details().size(), "no other mode to name: " + nowhere.details());
    }
}
