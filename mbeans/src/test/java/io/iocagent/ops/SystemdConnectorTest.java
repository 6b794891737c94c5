package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.iocagent.conf.Identity;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which manager each mode's command line talks to, from the caller's environment (nothing is
 * connected: the suppliers open their connection only when called).
 */
class SystemdConnectorTest {

    private static final Account ALICE = new Account("alice", "alice", 1234, Path.of("/home/alice"), true);

    private static Layout layout(Mode mode) {
        return new Layout(mode, Path.of("/c"), Path.of("/s"), Path.of("/r"), Path.of("/l"), "epics-@", new Identity("u", "g"));
    }

    @Test
    void systemModeTalksToTheSystemBusUnlessTheEnvironmentNamesAnother() {
        assertEquals("unix:path=/run/dbus/system_bus_socket", SystemdConnector.address(Mode.SYSTEM, Map.of(), ALICE));
        assertEquals("unix:path=/tmp/sys", SystemdConnector.address(Mode.SYSTEM,
                Map.of("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/tmp/sys"), ALICE));
        assertEquals(false, SystemdConnector.manager(Mode.SYSTEM, Map.of(), ALICE).userManager());
    }

    @Test
    void localModeTalksToTheCallersUserManager() {
        assertEquals("unix:path=/run/user/1234/bus", SystemdConnector.address(Mode.LOCAL, Map.of(), ALICE));
        assertEquals("unix:path=/tmp/rt/bus", SystemdConnector.address(Mode.LOCAL, Map.of("XDG_RUNTIME_DIR", "/tmp/rt"), ALICE));
        assertEquals(true, SystemdConnector.manager(Mode.LOCAL, Map.of(), ALICE).userManager());
    }

    @Test
    void theLeanControlIsOfferedOnlyForASocketPathAddress() {
        assertNotNull(SystemdConnector.control(layout(Mode.SYSTEM), Map.of(), ALICE));
        assertNull(SystemdConnector.control(layout(Mode.SYSTEM), Map.of("DBUS_SYSTEM_BUS_ADDRESS", "tcp:host=h,port=1"), ALICE),
                "dbus-java then runs everything");
        assertNotNull(SystemdConnector.queries(layout(Mode.LOCAL), Map.of(), ALICE));
        assertNotNull(SystemdConnector.forLayout(layout(Mode.LOCAL), Map.of(), ALICE));
    }
}
