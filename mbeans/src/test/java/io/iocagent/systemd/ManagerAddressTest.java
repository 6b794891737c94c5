package io.iocagent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManagerAddressTest {

    @Test
    void systemManagerUsesTheSystemBusAndPid1sPrivateSocket() {
        ManagerAddress a = ManagerAddress.system(Map.of());
        assertFalse(a.userManager());
        assertEquals("unix:path=/run/dbus/system_bus_socket", a.busAddress());
        assertEquals(Path.of("/run/systemd/private"), a.privateSocket());
    }

    @Test
    void systemBusAddressFromTheEnvironmentWinsUnlessBlank() {
        assertEquals("unix:path=/tmp/sb", ManagerAddress.system(Map.of("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/tmp/sb")).busAddress());
        assertEquals(ManagerAddress.DEFAULT_SYSTEM_BUS_ADDRESS,
                ManagerAddress.system(Map.of("DBUS_SYSTEM_BUS_ADDRESS", "  ")).busAddress());
    }

    @Test
    void userManagerLivesInTheRuntimeDirectory() {
        ManagerAddress a = ManagerAddress.user(Map.of("XDG_RUNTIME_DIR", "/run/user/1234"), 99);
        assertTrue(a.userManager());
        assertEquals("unix:path=/run/user/1234/bus", a.busAddress());
        assertEquals(Path.of("/run/user/1234/systemd/private"), a.privateSocket());
    }

    @Test
    void userManagerWithoutRuntimeDirectoryFallsBackToRunUserUid() {
        assertEquals("unix:path=/run/user/1001/bus", ManagerAddress.user(Map.of(), 1001).busAddress());
        assertEquals(Path.of("/run/user/1001/systemd/private"),
                ManagerAddress.user(Map.of("XDG_RUNTIME_DIR", ""), 1001).privateSocket());
    }
}
