package io.iocagent.ops;

import io.iocagent.testbed.ScriptTerminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitProperty;
import io.iocagent.systemd.UnitQuery;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status}: what it asks systemd, and the console socket by the same rule as {@code list}. */
class StatusReportTest {

    @TempDir
    Path root;

    private final List<String> out = new ArrayList<>();
    private final List<Set<UnitProperty>> asked = new ArrayList<>();

    private Layout layout() {
        return new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", new Identity("u", "g"));
    }

    private int status(String name) throws OperationException {
        UnitQuery query = new UnitQuery() {
            @Override
            public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
                throw new AssertionError("status lists nothing");
            }

            @Override
            public Map<UnitName, UnitState> states(Collection<UnitName> units, Set<UnitProperty> properties) {
                asked.add(properties);
                Map<UnitName, UnitState> answer = new LinkedHashMap<>();
                for (UnitName u : units) {
                    answer.put(u, new UnitState(u, "loaded", "active", "running", "", 4242, 2, Optional.empty(),
                            Optional.of(Instant.now().minusSeconds(90)), "", OptionalLong.empty(), OptionalLong.empty(),
                            "", List.of(), "enabled"));
                }
                return answer;
            }

            @Override
            public int calls() {
                return -1;
            }

            @Override
            public void close() {
            }
        };
        Terminal t = ScriptTerminal.into(out);
        try (Session session = new Session(layout(), new Account("u", "g", 1000, root, true), Map.of(), t, false,
                () -> {
                    throw new AssertionError("status must not open dbus-java");
                }, () -> query)) {
            return new StatusReport(session).show(new IocName(name));
        }
    }

    private String line(String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no " + prefix + " line in " + out + ")");
    }

    @Test
    void theSocketLineFollowsTheInstalledIocPortAsListDoes() throws Exception {
        Files.createDirectories(layout().confDir());
        Path moved = Files.createFile(root.resolve("moved-control"));
        Files.writeString(layout().confFile(new IocName("drifted")),
                "IOC_NAME=\"drifted\"\nIOC_PORT=\"unix:u:g:0660:" + moved + "\"\n");
        assertEquals(0, status("drifted"));
        assertEquals("Socket:    " + moved, line("Socket:"), "IOC_PORT decides, and the file there exists");
    }

    @Test
    void withoutAnInstalledConfTheSocketIsTheStandardOne() throws Exception {
        status("absent");
        assertEquals("Socket:    " + root.resolve("run/absent/control") + " (absent)", line("Socket:"));
    }

    @Test
    void statusAsksForTheSevenPropertiesItPrintsAndNoMore() throws Exception {
        status("any");
        assertEquals(List.of(EnumSet.of(UnitProperty.LOAD_STATE, UnitProperty.UNIT_FILE_STATE, UnitProperty.ACTIVE_STATE,
                UnitProperty.SUB_STATE, UnitProperty.ACTIVE_ENTER, UnitProperty.MAIN_PID, UnitProperty.RESTARTS)), asked);
        assertEquals("Main PID:  4242", line("Main PID:"));
        assertTrue(line("State:").startsWith("State:     active (running) since "), line("State:"));
        assertEquals("Unit:      epics-@any.service (loaded; enabled)", line("Unit:"));
    }
}
