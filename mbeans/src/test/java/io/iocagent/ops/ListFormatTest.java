package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.model.IocEndpoints;
import io.iocagent.model.NetworkClient;
import io.iocagent.crash.ChildExit;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ListFormatTest {

    private static IocRow row(String name, String state) {
        return new IocRow(name, true, state, "running", "disabled",
                Optional.of(LocalDateTime.of(2026, 8, 17, 10, 2).atZone(ZoneId.systemDefault()).toInstant()),
                OptionalInt.of(4242), OptionalLong.of(1_234_000_000L), OptionalLong.of(10_485_760L),
                "/run/procserv/" + name + "/control",
                Optional.of(new IocRow.SocketFacts("LISTEN", 31679, 0, 5, 2, "srw-rw----")),
                List.of(new IocRow.Client(77, "alice", "con -c \"/run/x\"", Optional.empty())),
                new IocEndpoints(5064, 5064, -1, List.of(new NetworkClient("127.0.0.1", 43210, 4711)), List.of()),
                new ChildExit(4700, -1, 11, null));
    }

    @Test
    void plainRowMatchesTheSeedByteForByte() {
        List<String> t = ListFormat.table(List.of(row("myioc", "active")), 0);
        assertEquals("IOC NAME             | STATUS   | STARTED           | UDS PATH", t.get(0));
        assertEquals("-".repeat(100), t.get(1));
        assertEquals("myioc                | active   | 2026-08-17 10:02  | /run/procserv/myioc/control", t.get(2));
    }

    @Test
    void verboseRowsCarryPidCpuAndMemoryInTheSeedsUnits() {
        List<String> t = ListFormat.table(List.of(row("myioc", "active")), 1);
        assertEquals("IOC NAME             | STATUS   | STARTED           | PID    | CPU   | MEM    | UDS PATH", t.get(0));
        assertEquals("myioc                | active   | 2026-08-17 10:02  | 4242   | 1.2s  | 10.0M  | /run/procserv/myioc/control",
                t.get(2));
        List<String> vv = ListFormat.table(List.of(row("myioc", "active")), 2);
        assertTrue(vv.get(0).startsWith("IOC NAME             | STATUS   | STARTED           | PID    | CPU   | MEM    | RQ  | SQ  | REF  | K-STATE   | INODE      | PERM       | UDS PATH"), vv.get(0));
        assertTrue(vv.get(2).contains("| 0   | 5   | 2    | LISTEN    | 31679      | srw-rw---- |"), vv.get(2));
        assertTrue(vv.get(0).endsWith("| UDS PATH                                 | CA           | PVA          | ORPHANS"), vv.get(0));
        assertTrue(vv.get(2).endsWith("/run/procserv/myioc/control              | 5064/1       | -            | -"), vv.get(2));
    }

    @Test
    void cpuAndMemoryRoundLikeTheSeedAndAbsentIsNa() {
        assertEquals("0.1s", ListFormat.cpu(OptionalLong.of(50_000_000L)));
        assertEquals("0.0s", ListFormat.cpu(OptionalLong.of(49_999_999L)));
        assertEquals("N/A", ListFormat.cpu(OptionalLong.empty()));
        assertEquals("0.5M", ListFormat.mem(OptionalLong.of(524_288L)));
        assertEquals("N/A", ListFormat.mem(OptionalLong.empty()));
    }

    @Test
    void jsonEscapesAndNullsAbsentFacts() {
        IocRow stopped = new IocRow("stopped", true, "inactive", "dead", "disabled", Optional.empty(), OptionalInt.empty(),
                OptionalLong.empty(), OptionalLong.empty(), "/run/procserv/stopped/control", Optional.empty(), List.of(),
                IocEndpoints.NONE, null);
        String json = ListFormat.json("system", List.of(row("a", "active"), stopped));
        assertTrue(json.startsWith("{\"mode\":\"system\",\"iocs\":[{\"name\":\"a\",\"installed\":true,\"status\":\"active\""), json);
        assertTrue(json.contains("\"command\":\"con -c \\\"/run/x\\\"\""), json);
        assertTrue(json.contains("{\"name\":\"stopped\",\"installed\":true,\"status\":\"inactive\",\"subState\":\"dead\","
                + "\"enabled\":\"disabled\",\"started\":null,\"pid\":null,\"cpuSeconds\":null,\"memoryBytes\":null,"
                + "\"socket\":{\"path\":\"/run/procserv/stopped/control\"},\"consoleClients\":[],"
                + "\"channelAccess\":null,\"pvAccess\":null,\"orphanPids\":[],\"lastExit\":null}"), json);
        assertTrue(json.contains("\"lastExit\":{\"text\":\"child 4700 killed by signal SEGV (11)\","
                + "\"reason\":\"signal_SEGV\",\"pid\":4700}"), json);
        assertTrue(json.contains("\"channelAccess\":{\"serverPort\":5064,\"searchPort\":5064,\"clients\":"
                + "[{\"address\":\"127.0.0.1\",\"port\":43210,\"pid\":4711}]},\"pvAccess\":null"), json);
        assertTrue(json.endsWith("]}"));
    }

    @Test
    void orphanProcessesAreTheLastColumnOfVeryVerboseAndAnArrayInJson() {
        IocRow r = row("myioc", "active");
        IocRow orphaned = new IocRow(r.name(), r.installed(), r.activeState(), r.subState(), r.enabled(), r.started(),
                r.mainPid(), r.cpuNanos(), r.memoryBytes(), r.socketPath(), r.socket(), r.clients(), r.endpoints(),
                r.lastExit(), List.of(3101, 3107));
        List<String> vv = ListFormat.table(List.of(orphaned), 2);
        assertTrue(vv.get(2).endsWith("| 5064/1       | -            | 3101,3107"), vv.get(2));
        assertEquals(List.of(), r.orphanPids(), "a row built without orphans has none");
        String json = ListFormat.json("local", List.of(orphaned));
        assertTrue(json.contains(",\"orphanPids\":[3101,3107],\"lastExit\":"), json);
        assertTrue(ListFormat.table(List.of(orphaned), 1).get(2).endsWith("| /run/procserv/myioc/control"),
                "-v shows no orphans column");
    }

    @Test
    void rowsAreByteForByteWhatTheSeedsPrintfFormatsPrint() {
        String full = "%-20s | %-8s | %-17s | %-6s | %-5s | %-6s | %-3s | %-3s | %-4s | %-9s | %-10s | %-10s | %s";
        String[] cells = {"averyveryverylongiocname", "deactivating", "2026-08-17 10:02", "123456789", "12345.6s",
            "100000.0M", "1000", "4096", "12", "LISTEN", "123456789012", "srw-rw----", "/run/procserv/x/control"};
        assertEquals(String.format(full, (Object[]) cells),
                ListFormat.line(new int[] {20, 8, 17, 6, 5, 6, 3, 3, 4, 9, 10, 10, 0}, cells), "cells wider than their columns");
        String[] narrow = {"a", "b", "-", "N/A", "N/A", "N/A", "0", "0", "0", "UNKNOWN", "N/A", "N/A", ""};
        assertEquals(String.format(full, (Object[]) narrow),
                ListFormat.line(new int[] {20, 8, 17, 6, 5, 6, 3, 3, 4, 9, 10, 10, 0}, narrow), "cells padded");
    }

    /** A running row with PID {@code pid}, CPU {@code cpuNanos}, the given endpoints and socket facts. */
    private static IocRow running(int pid, long cpuNanos, IocEndpoints endpoints, Optional<IocRow.SocketFacts> socket) {
        return new IocRow("r", true, "active", "running", "enabled", Optional.empty(), OptionalInt.of(pid),
                OptionalLong.of(cpuNanos), OptionalLong.of(1024), "/run/x", socket, List.of(), endpoints, null);
    }

    @Test
    void jsonGivesPidOneCpuInSecondsAndTheSocketFacts() {
        String json = ListFormat.json("local", List.of(running(1, 2_500_000_000L, IocEndpoints.NONE,
                Optional.of(new IocRow.SocketFacts("LISTEN", 99, 1, 5, 2, "srw-------")))));
        assertTrue(json.contains("\"pid\":1,\"cpuSeconds\":2.5,\"memoryBytes\":1024,"), json);
        assertTrue(json.contains("\"socket\":{\"path\":\"/run/x\",\"state\":\"LISTEN\",\"inode\":99,\"recvQueue\":1,"
                + "\"sendQueue\":5,\"refCount\":2,\"permissions\":\"srw-------\"}"), json);
        String none = ListFormat.json("local", List.of(running(0, 0, IocEndpoints.NONE, Optional.empty())));
        assertTrue(none.contains("\"pid\":null,\"cpuSeconds\":0.0,"), "PID 0 is no process: " + none);
    }

    @Test
    void serverPortOneIsAServerWithoutAKnownSearchPortAndClientsWithoutAPid() {
        IocEndpoints e = new IocEndpoints(1, 0, 1, List.of(new NetworkClient("::1", 2, 0)), List.of(), "");
        String json = ListFormat.json("local", List.of(running(5, 0, e, Optional.empty())));
        assertTrue(json.contains("\"channelAccess\":{\"serverPort\":1,\"clients\":[{\"address\":\"::1\",\"port\":2,"
                + "\"pid\":null}]},\"pvAccess\":{\"serverPort\":1,\"clients\":[]}"), json);
        assertTrue(json.contains("{\"serverPort\":1,\"clients\""), json);
        IocEndpoints search = new IocEndpoints(5064, 1, -1, List.of(new NetworkClient("1.2.3.4", 2, 1)), List.of(), "");
        assertTrue(ListFormat.json("local", List.of(running(5, 0, search, Optional.empty())))
                .contains("{\"serverPort\":5064,\"searchPort\":1,\"clients\":[{\"address\":\"1.2.3.4\",\"port\":2,\"pid\":1}]}"));
        assertEquals("1/0", ListFormat.server(1, 0));
        assertEquals("-", ListFormat.server(0, 3));
    }

    @Test
    void tablesShowPidOneAndNaForNoProcess() {
        assertTrue(ListFormat.table(List.of(running(1, 0, IocEndpoints.NONE, Optional.empty())), 1).get(2)
                .contains("| 1      |"));
        assertTrue(ListFormat.table(List.of(running(0, 0, IocEndpoints.NONE, Optional.empty())), 1).get(2)
                .contains("| N/A    |"));
        List<String> vv = ListFormat.table(List.of(running(0, 0, IocEndpoints.NONE, Optional.empty())), 2);
        assertTrue(vv.get(2).contains("| 0   | 0   | 0    | UNKNOWN   | N/A        | N/A        |"), vv.get(2));
        assertEquals(2, ListFormat.table(List.of(), 0).size(), "header and rule only");
    }
}
