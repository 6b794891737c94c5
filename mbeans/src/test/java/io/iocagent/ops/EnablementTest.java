package io.iocagent.ops;

import io.iocagent.testbed.ScriptTerminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.UnitName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who enables and disables IOC units by which route, and what a caller is told when the route
 * refuses. The sudo route runs a stand-in for sudo that records its arguments and answers as sudo
 * or systemctl would; the real sudoers policy is asked of real sudo in SudoersPolicyIT.
 */
class EnablementTest {

    private static final UnitName UNIT = UnitName.of("epics-@", "myioc");
    private static final Account ENGINEER = new Account("alice", "alice", 1000, Path.of("/home/alice"), true);
    private static final Account ROOT = new Account("root", "root", 0, Path.of("/root"), true);

    private final List<String> err = new ArrayList<>();

    @Test
    void rootAndLocalModeUseTheBusTheCommandLineUsesSudoAndTheAgentRefuses(@TempDir Path dir) {
        assertEquals(Enablement.Route.BUS, Enablement.routeOf(Mode.LOCAL, false, true));
        assertEquals(Enablement.Route.BUS, Enablement.routeOf(Mode.LOCAL, false, false));
        assertEquals(Enablement.Route.BUS, Enablement.routeOf(Mode.SYSTEM, true, false));
        assertEquals(Enablement.Route.SUDO, Enablement.routeOf(Mode.SYSTEM, false, true));
        assertEquals(Enablement.Route.REFUSED, Enablement.routeOf(Mode.SYSTEM, false, false));
        // The sessions say which they are: the command line's own, and the agent's on its shared bus.
        assertEquals(Enablement.Route.SUDO, Enablement.of(commandLine(dir, ENGINEER)).route());
        assertEquals(Enablement.Route.REFUSED, Enablement.of(agent(dir, ENGINEER)).route());
        assertEquals(Enablement.Route.BUS, Enablement.of(agent(dir, ROOT)).route());
    }

    @Test
    void theCommandLineRunsExactlyTheSudoersCommandAndPassesSystemctlsLinesOn(@TempDir Path dir) throws Exception {
        Path args = dir.resolve("args");
        Path sudo = standIn(dir, "printf '%s\\n' \"$@\" > " + args + "\n"
                + "echo 'Created symlink /etc/systemd/system/multi-user.target.wants/epics-@myioc.service \u2192 /etc/systemd/system/epics-@.service.' >&2\n");
        List<String> lines = Enablement.of(commandLine(dir, ENGINEER), sudo.toString()).enable(UNIT);
        assertEquals(List.of("-n", "/usr/bin/systemctl", "enable", "epics-@myioc.service"), Files.readAllLines(args),
                "the command must be one the sudoers policy names, with -n so sudo never prompts");
        assertEquals(List.of("Created symlink /etc/systemd/system/multi-user.target.wants/epics-@myioc.service \u2192 "
                + "/etc/systemd/system/epics-@.service."), lines);

        Enablement.of(commandLine(dir, ENGINEER), sudo.toString()).disable(UNIT);
        assertEquals(List.of("-n", "/usr/bin/systemctl", "disable", "epics-@myioc.service"), Files.readAllLines(args));
    }

    @Test
    void aSudoRefusalSaysWhichCommandAndHowToGetIt(@TempDir Path dir) throws IOException {
        Path sudo = standIn(dir, "echo 'sudo: a password is required' >&2\nexit 1\n");
        OperationException e = assertThrows(OperationException.class,
                () -> Enablement.of(commandLine(dir, ENGINEER), sudo.toString()).enable(UNIT));
        assertEquals("sudo refused 'sudo /usr/bin/systemctl enable epics-@myioc.service' (sudo: a password is required).",
                e.getMessage());
        String hints = String.join("\n", e.details());
        assertTrue(hints.contains("members of group 'ioc' may run exactly this command without a password"
                + " (/etc/sudoers.d/10-epics-ioc, installed by setup-system-infra --full)"), hints);
        assertTrue(hints.contains("'usermod -aG ioc alice', log in again"), hints);
        assertTrue(hints.contains("ask an administrator to run: sudo /usr/bin/systemctl enable epics-@myioc.service"), hints);
    }

    @Test
    void aSystemctlFailureUnderSudoIsReportedAsSystemctls(@TempDir Path dir) throws IOException {
        Path sudo = standIn(dir, "echo 'Failed to disable unit: Unit file epics-@myioc.service does not exist.' >&2\nexit 1\n");
        OperationException e = assertThrows(OperationException.class,
                () -> Enablement.of(commandLine(dir, ENGINEER), sudo.toString()).disable(UNIT));
        assertEquals("systemctl could not disable epics-@myioc.service (exit 1).", e.getMessage());
        assertEquals(List.of("    Failed to disable unit: Unit file epics-@myioc.service does not exist."), e.details());
    }

    @Test
    void withoutSudoTheErrorSaysSo(@TempDir Path dir) {
        OperationException e = assertThrows(OperationException.class,
                () -> Enablement.of(commandLine(dir, ENGINEER), dir.resolve("no-sudo").toString()).enable(UNIT));
        assertTrue(e.getMessage().startsWith("Cannot enable epics-@myioc.service: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("no-sudo not found."), e.getMessage());
    }

    @Test
    void theAgentRefusesAndNamesTheCommandLinesCommand(@TempDir Path dir) throws IOException {
        Session agent = agent(dir, ENGINEER);
        Files.writeString(agent.layout().confFile(new IocName("myioc")), "IOC_NAME=myioc\n");
        OperationException e = assertThrows(OperationException.class, () -> new Lifecycle(agent).enable(new IocName("myioc")));
        assertEquals("The agent does not enable IOC units in system mode (epics-@myioc.service).", e.getMessage());
        assertTrue(e.details().get(1).contains("run: ioc-runner enable myioc   (uses: sudo /usr/bin/systemctl enable "
                + "epics-@myioc.service)"), e.details().toString());
        assertEquals(List.of(), err, "nothing printed before the refusal");
    }

    private Session commandLine(Path dir, Account account) {
        return new Session(systemLayout(dir), account, Map.of(), terminal(), false, EnablementTest::noBus);
    }

    private Session agent(Path dir, Account account) {
        return Session.onSharedBus(systemLayout(dir), account, Map.of(), terminal(), false, EnablementTest::noBus);
    }

    private static SystemdBus noBus() {
        throw new IllegalStateException("no systemd in this test");
    }

    private static Layout systemLayout(Path dir) {
        try {
            Path conf = Files.createDirectories(dir.resolve("procServ.d"));
            return new Layout(Mode.SYSTEM, conf, dir.resolve("systemd"), dir.resolve("run"), dir.resolve("log"), "epics-@",
                    new Identity("ioc-srv", "ioc"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path standIn(Path dir, String body) throws IOException {
        Path sudo = Files.writeString(dir.resolve("sudo"), "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(sudo, PosixFilePermissions.fromString("rwx------"));
        return sudo;
    }

    private Terminal terminal() {
        return ScriptTerminal.of(line -> err.add("out: " + line), err::add);
    }
}
