package io.iocagent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class ManagerEndpointTest {

    private static final UnitName UNIT = UnitName.of("epics-@", "x");
    private static final ManagerEndpoint SYSTEM =
            ManagerEndpoint.of("unix:path=/run/dbus/system_bus_socket", Duration.ofSeconds(25));
    private static final ManagerEndpoint USER = ManagerEndpoint.of("unix:path=/run/user/1000/bus", Duration.ofSeconds(25));

    private static CallFailure remote(String name, String text) {
        return new CallFailure(CallFailure.Kind.REMOTE_ERROR, name, text, null);
    }

    @Test
    void accessDeniedNamesTheActionAndThePolkitRule() {
        SystemdException e = SYSTEM.explain(Action.manageUnit("start", UNIT),
                remote("org.freedesktop.DBus.Error.AccessDenied", "Access denied"));

        assertEquals(SystemdException.Reason.PERMISSION_DENIED, e.reason());
        assertEquals("Permission denied: systemd refused to start epics-@x.service.", e.problem());
        String hint = e.hint().orElseThrow();
        assertTrue(hint.contains("org.freedesktop.systemd1.manage-units"), hint);
        assertTrue(hint.contains("group 'ioc'") && hint.contains("polkit rule") && hint.contains("sudo"), hint);
        assertEquals(e.problem() + System.lineSeparator() + "-> " + hint, e.getMessage());
    }

    @Test
    void unitFileChangesPointAtRootOrTheSudoersRouteNeverAtAPolkitGrant() {
        SystemdException e = SYSTEM.explain(Action.manageUnitFiles("enable", UNIT.toString(), UNIT.templateFileName()),
                remote("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", "Interactive authentication required."));

        assertEquals(SystemdException.Reason.PERMISSION_DENIED, e.reason());
        assertEquals("Permission denied: systemd refused to enable epics-@x.service.", e.problem());
        String hint = e.hint().orElseThrow();
        assertTrue(hint.contains("no polkit rule of this project grants org.freedesktop.systemd1.manage-unit-files"), hint);
        assertTrue(hint.contains("'ioc-runner enable|disable NAME', which uses the sudoers policy"), hint);
        assertTrue(hint.contains("as root"), hint);
    }

    @Test
    void noSuchUnitPointsAtTheTemplate() {
        SystemdException e = USER.explain(Action.manageUnit("start", UNIT),
                remote("org.freedesktop.systemd1.NoSuchUnit", "Unit epics-@x.service not found."));

        assertEquals(SystemdException.Reason.NO_SUCH_UNIT, e.reason());
        assertEquals("Cannot start epics-@x.service: Unit epics-@x.service not found.", e.problem());
        assertTrue(e.hint().orElseThrow().contains("systemctl --user cat epics-@.service"), e.getMessage());
    }

    @Test
    void anUnreachableBusNamesTheAddressAndWhatToCheck() {
        SystemdException e = USER.explain(Action.manageUnit("stop", UNIT), new CallFailure(CallFailure.Kind.CONNECT_FAILED,
                null, "Failed to connect to bus: No such file or directory", null));

        assertEquals(SystemdException.Reason.BUS_UNREACHABLE, e.reason());
        assertEquals("Cannot reach systemd on D-Bus at unix:path=/run/user/1000/bus to stop epics-@x.service:"
                + " Failed to connect to bus: No such file or directory.", e.problem());
        assertTrue(e.hint().orElseThrow().contains("XDG_RUNTIME_DIR"), e.getMessage());
        assertTrue(SYSTEM.explain(Action.reload(), new CallFailure(CallFailure.Kind.NOT_SENT, "not connected"))
                .hint().orElseThrow().contains("systemd PID 1"));
    }

    @Test
    void aLostConnectionSaysTheOperationMayHaveHappened() {
        SystemdException e = SYSTEM.explain(Action.manageUnit("restart", UNIT),
                new CallFailure(CallFailure.Kind.CONNECTION_LOST, "the bus closed the connection"));

        assertEquals(SystemdException.Reason.BUS_UNREACHABLE, e.reason());
        assertTrue(e.problem().contains("may or may not have been done"), e.problem());
    }

    @Test
    void aDaemonReloadWaitsAsLongAsSystemctlWouldWhateverTheCallTimeout() {
        ManagerEndpoint agent = ManagerEndpoint.of("unix:path=/run/user/1000/bus", Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(180), Action.reload().wait(Duration.ofSeconds(10)));
        assertEquals(Duration.ofSeconds(600), Action.reload().wait(Duration.ofSeconds(600)), "a longer call timeout wins");
        assertEquals(Duration.ofSeconds(10), Action.manageUnit("start", UNIT).wait(Duration.ofSeconds(10)));

        SystemdException e = agent.explain(Action.reload(), new CallFailure(CallFailure.Kind.TIMEOUT, "no reply"));
        assertEquals("systemd did not answer within 180 s when asked to reload its configuration (daemon-reload).",
                e.problem());
    }

    @Test
    void timeoutsAndOtherErrorsAreWordedWithoutStackTraces() {
        SystemdException timeout = SYSTEM.explain(Action.read("read the state of", UNIT),
                new CallFailure(CallFailure.Kind.TIMEOUT, "no reply"));
        assertEquals(SystemdException.Reason.TIMEOUT, timeout.reason());
        assertEquals("systemd did not answer within 25 s when asked to read the state of epics-@x.service.",
                timeout.problem());

        SystemdException other = SYSTEM.explain(Action.manageUnit("start", UNIT),
                remote("org.freedesktop.systemd1.UnitMasked", "Unit epics-@x.service is masked."));
        assertEquals(SystemdException.Reason.FAILED, other.reason());
        assertEquals("systemd could not start epics-@x.service: Unit epics-@x.service is masked"
                + " (org.freedesktop.systemd1.UnitMasked).", other.problem());
        for (SystemdException e : List.of(timeout, other)) {
            assertFalse(e.getMessage().contains("\tat "), e.getMessage());
            assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        }
    }

    @Test
    void theManagerIsGuessedFromTheAddress() {
        assertFalse(SYSTEM.userManager());
        assertTrue(USER.userManager());
        assertEquals("systemctl --user", USER.systemctl());
        assertEquals("systemctl", SYSTEM.systemctl());
    }

    @Test
    void unitFileChangesReadLikeSystemctl() {
        assertEquals("Created symlink /a/default.target.wants/epics-@x.service \u2192 /etc/x/epics-@.service.",
                new UnitFileChange("symlink", "/a/default.target.wants/epics-@x.service", "/etc/x/epics-@.service")
                        .describe());
        assertEquals("Removed \"/a/default.target.wants/epics-@x.service\".",
                new UnitFileChange("unlink", "/a/default.target.wants/epics-@x.service", "").describe());
    }
}
