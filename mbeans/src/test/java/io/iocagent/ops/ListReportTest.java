package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.model.CgroupUsage;
import io.iocagent.model.ConsoleSurvey;
import io.iocagent.model.IocEndpoints;
import io.iocagent.posix.Account;
import io.iocagent.systemd.FakeManager;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitProperty;
import io.iocagent.systemd.UnitState;
import io.iocagent.testbed.ScriptTerminal;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code list}: which IOCs it shows, what it asks systemd at each level of detail (and nothing
 * more), and each fact of a row — the console socket by {@code IOC_PORT}, CPU and memory from the
 * cgroup or else systemd's accounting.
 */
class ListReportTest {

    private static final String PREFIX = "epics-@";

    @TempDir
    Path root;

    private Layout layout;
    private final FakeManager manager = new FakeManager(PREFIX);

    @BeforeEach
    void setUp() throws IOException {
        layout = new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), PREFIX, new Identity("u", "g"));
        Files.createDirectories(layout.confDir());
    }

    private void install(String name, String extra) throws IOException {
        Files.writeString(layout.confDir().resolve(name + ".conf"), "IOC_NAME=\"" + name
                + "\"\nIOC_USER=\"u\"\nIOC_GROUP=\"g\"\nIOC_CHDIR=\"/tmp\"\nIOC_CMD=\"./st.cmd\"\n" + extra);
    }

    private Map<String, IocRow> list(ListReport.Detail detail) throws OperationException {
        try (Session session = new Session(layout, new Account("u", "g", 1000, root, true), Map.of(),
                ScriptTerminal.quiet(), false, () -> {
                    throw new AssertionError("list must not open dbus-java");
                }, () -> manager)) {
            Map<String, IocRow> rows = new TreeMap<>();
            List<IocRow> collected = new ListReport(session).collect(detail);
            collected.forEach(r -> rows.put(r.name(), r));
            assertEquals(List.copyOf(rows.keySet()), collected.stream().map(IocRow::name).toList(),
                    "rows are sorted by IOC name");
            return rows;
        }
    }

    private UnitState active(String name, String controlGroup, long cpuNanos, long memoryBytes) {
        UnitName unit = manager.unit(name);
        return new UnitState(unit, "loaded", "active", "running", "success", 4321, 0, Optional.empty(),
                Optional.of(Instant.parse("2026-12-03T09:00:00Z")), controlGroup,
                cpuNanos < 0 ? OptionalLong.empty() : OptionalLong.of(cpuNanos),
                memoryBytes < 0 ? OptionalLong.empty() : OptionalLong.of(memoryBytes), "", List.of(), "enabled");
    }

    @Test
    void plainListShowsInstalledIocsAndUnitsThatAreNotPlainInactiveFromOneListing() throws Exception {
        install("a", "");
        install("never", "");
        manager.running("a").held("orphan", "failed", "failed").held("removed", "inactive", "dead");

        Map<String, IocRow> rows = list(ListReport.Detail.BASIC);

        assertEquals(Set.of("a", "never", "orphan"), rows.keySet());
        assertEquals(List.of("listUnits"), manager.asked(), "plain list is one ListUnitsByPatterns and nothing else");
        assertEquals("active", rows.get("a").activeState());
        assertEquals("running", rows.get("a").subState());
        assertTrue(rows.get("a").installed());
        assertEquals("inactive", rows.get("never").activeState(), "an installed IOC systemd does not hold is inactive");
        assertEquals("dead", rows.get("never").subState());
        assertFalse(rows.get("orphan").installed(), "a failed unit without conf is shown, as not installed");
        assertTrue(rows.get("a").mainPid().isEmpty(), "plain list does not ask for PIDs");
        assertTrue(rows.get("a").cpuNanos().isEmpty(), "plain list does not ask for CPU");
        assertTrue(rows.get("a").socket().isEmpty(), "plain list does not read the socket table");
    }

    @Test
    void theConsoleSocketFollowsTheInstalledIocPortAtEveryLevelOfDetail() throws Exception {
        Path moved = root.resolve("elsewhere/control");
        install("moved", "IOC_PORT=\"unix:u:g:0660:" + moved + "\"\n");
        install("standard", "IOC_PORT=\"\"\n");
        install("broken", "IOC_CMD=\"unterminated\n");
        manager.running("moved");

        for (ListReport.Detail detail : List.of(ListReport.Detail.BASIC, ListReport.Detail.PROCESS)) {
            Map<String, IocRow> rows = list(detail);
            assertEquals(moved.toString(), rows.get("moved").socketPath(),
                    "IOC moved (" + detail + "): IOC_PORT decides the console socket, as the agent's model does");
            assertEquals(layout.socketPath(new IocName("standard")).toString(), rows.get("standard").socketPath(),
                    "an empty IOC_PORT means the standard socket");
            assertEquals(layout.socketPath(new IocName("broken")).toString(), rows.get("broken").socketPath(),
                    "a conf that cannot be parsed still lists, with the standard socket");
        }
    }

    @Test
    void verboseListAsksPidsOfRunningUnitsAndAccountingOnlyWhereTheCgroupCannotBeRead() throws Exception {
        install("a", "");
        install("stopped", "");
        manager.put(active("a", "", 3_000_000_000L, 30_000_000L))
                .held("stopped", "inactive", "dead").held("failing", "failed", "failed");

        Map<String, IocRow> rows = list(ListReport.Detail.PROCESS);

        assertEquals(List.of(Set.of(), ListReport.PROCESS_PROPERTIES, ListReport.ACCOUNTING_PROPERTIES),
                List.of(Set.of(), manager.propertiesAsked().get(0), manager.propertiesAsked().get(1)),
                "first MainPID and ControlGroup, then CPU and memory of the unit whose cgroup is unreadable");
        assertEquals(Set.of(manager.unit("a"), manager.unit("failing")), manager.statesAsked().get(0),
                "PIDs are asked only of units that are not inactive");
        assertEquals(Set.of(manager.unit("a")), manager.statesAsked().get(1),
                "accounting is asked only of active units whose cgroup could not be read");
        IocRow a = rows.get("a");
        assertEquals(4321, a.mainPid().getAsInt());
        assertEquals(3_000_000_000L, a.cpuNanos().getAsLong(),
                "IOC a: with no cgroup to read, CPU is systemd's CPUUsageNSec, not 0");
        assertEquals(30_000_000L, a.memoryBytes().getAsLong(), "IOC a: memory is systemd's MemoryCurrent");
        assertTrue(rows.get("stopped").cpuNanos().isEmpty(), "a stopped IOC has no CPU figure");
        assertTrue(rows.get("stopped").mainPid().isEmpty());
        assertTrue(rows.get("failing").cpuNanos().isEmpty(), "a failed unit has no CPU figure");
    }

    @Test
    void verboseListWithAccountingOffShowsNoFigureRatherThanZero() throws Exception {
        install("a", "");
        manager.put(active("a", "", -1, -1));

        IocRow a = list(ListReport.Detail.PROCESS).get("a");

        assertTrue(a.cpuNanos().isEmpty(), "IOC a: no cgroup and no accounting is unknown CPU, got " + a.cpuNanos());
        assertTrue(a.memoryBytes().isEmpty());
    }

    @Test
    void jsonAsksTheUnitFileStateOfEveryIoc() throws Exception {
        install("a", "");
        install("b", "");
        manager.put(active("a", "", -1, -1)).held("b", "inactive", "dead");
        manager.enable(manager.unit("b"));

        Map<String, IocRow> rows = list(ListReport.Detail.FULL);

        Set<UnitProperty> last = manager.propertiesAsked().get(manager.propertiesAsked().size() - 1);
        assertEquals(EnumSet.of(UnitProperty.UNIT_FILE_STATE), last);
        assertEquals(Set.of(manager.unit("a"), manager.unit("b")),
                manager.statesAsked().get(manager.statesAsked().size() - 1));
        assertEquals("enabled", rows.get("a").enabled());
        assertEquals("enabled", rows.get("b").enabled(), "IOC b: enabled though stopped");
    }

    @Test
    void withSocketDetailAListeningConsoleIsShownWithItsKernelFacts() throws Exception {
        Path socket = root.resolve("elsewhere.sock");
        install("a", "IOC_PORT=\"unix:u:g:0660:" + socket + "\"\n");
        install("down", "");
        manager.put(active("a", "", -1, -1)).put(active("down", "", -1, -1));
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));

            Map<String, IocRow> rows = list(ListReport.Detail.SOCKET);

            IocRow.SocketFacts facts = rows.get("a").socket().orElseThrow(
                    () -> new AssertionError("IOC a: its console at IOC_PORT listens but list -vv shows none"));
            assertEquals("LISTEN", facts.kernelState());
            assertTrue(facts.inode() > 0);
            assertTrue(facts.permissions().startsWith("s"), facts.permissions());
            assertTrue(rows.get("a").started().isPresent(), "an active IOC's STARTED is its socket's mtime");
            assertTrue(rows.get("down").socket().isEmpty(), "no socket file, no listener");
            assertTrue(rows.get("down").started().isEmpty(), "no socket file, no STARTED");
        }
    }

    @Test
    void aSystemdFailureIsAnOperationErrorSayingWhatFailed() {
        manager.unreachable("connection refused");
        OperationException e = assertThrows(OperationException.class, () -> list(ListReport.Detail.BASIC));
        assertEquals("Cannot reach systemd: connection refused.", e.getMessage());
        assertEquals(List.of("  -> Check that the manager runs."), e.details());
        assertEquals(1, e.exitCode());
    }

    @Test
    void aRowShowsUsageOnlyWhenAskedAndOnlyForAnActiveUnit() {
        UnitState a = active("a", "/x.slice", 5, 6);
        Optional<CgroupUsage> measured = Optional.of(new CgroupUsage(7_000, 8_000));
        Path socket = root.resolve("a.sock");
        IocRow basic = ListReport.row(new IocName("a"), true, a, measured, socket, ConsoleSurvey.Console.ABSENT,
                Map.of(), IocEndpoints.NONE, ListReport.Detail.BASIC);
        assertTrue(basic.cpuNanos().isEmpty(), "BASIC shows no CPU");
        IocRow process = ListReport.row(new IocName("a"), true, a, measured, socket, ConsoleSurvey.Console.ABSENT,
                Map.of(), IocEndpoints.NONE, ListReport.Detail.PROCESS);
        assertEquals(7_000L, process.cpuNanos().getAsLong(), "the cgroup reading wins over systemd's accounting");
        assertEquals(8_000L, process.memoryBytes().getAsLong());
        assertEquals(4321, process.mainPid().getAsInt());
        assertEquals(socket.toString(), process.socketPath());

        UnitState stopped = FakeManager.state(a.unit(), "inactive", "dead", 0, "disabled");
        IocRow down = ListReport.row(new IocName("a"), true, stopped, measured, socket, ConsoleSurvey.Console.ABSENT,
                Map.of(), IocEndpoints.NONE, ListReport.Detail.PROCESS);
        assertTrue(down.cpuNanos().isEmpty(), "an inactive unit has no CPU, whatever was measured");
        assertTrue(down.mainPid().isEmpty(), "MainPID 0 is no PID");
    }

    @Test
    void consoleClientsAndReferenceCountsAreShownOnlyAtTheirLevel() {
        UnitState a = active("a", "", -1, -1);
        ConsoleSurvey.Console console = new ConsoleSurvey.Console(true, 777L, 1, 5,
                List.of(new io.iocagent.proc.ConsoleClient(99, "op", "socat", Optional.empty(), 778L)));
        IocRow socket = ListReport.row(new IocName("a"), true, a, Optional.empty(), root.resolve("none"), console,
                Map.of(777L, 3), IocEndpoints.NONE, ListReport.Detail.SOCKET);
        IocRow.SocketFacts facts = socket.socket().orElseThrow();
        assertEquals(new IocRow.SocketFacts("LISTEN", 777L, 1, 5, 3, "N/A"), facts,
                "kernel facts, the /proc/net/unix reference count, and N/A for a socket file that cannot be read");
        assertTrue(socket.clients().isEmpty(), "clients are shown in JSON only");
        IocRow full = ListReport.row(new IocName("a"), true, a, Optional.empty(), root.resolve("none"), console,
                Map.of(), IocEndpoints.NONE, ListReport.Detail.FULL);
        assertEquals(List.of(99), full.clients().stream().map(IocRow.Client::pid).toList());
        assertEquals(0, full.socket().orElseThrow().refCount(), "an inode without a count shows 0");
    }

    @Test
    void theKernelsReferenceCountsAreReadFromProcNetUnix() {
        Map<Long, Integer> counts = ListReport.refCounts();
        assertFalse(counts.isEmpty(), "this JVM holds UNIX sockets, so /proc/net/unix lists some");
        assertTrue(counts.values().stream().allMatch(c -> c >= 1), counts.toString());
    }

    @Test
    void listedAndNotLoadedUnitsCarryOnlyWhatTheListingSays() {
        UnitName unit = manager.unit("x");
        UnitState listed = ListReport.listedState(new io.iocagent.systemd.UnitSummary(unit, "d", "loaded", "active",
                "running", ""));
        assertEquals(List.of("loaded", "active", "running", 0), List.of(listed.loadState(), listed.activeState(),
                listed.subState(), listed.mainPid()));
        UnitState notLoaded = ListReport.notLoaded(unit);
        assertEquals(List.of("inactive", "dead"), List.of(notLoaded.activeState(), notLoaded.subState()));
    }

    @Test
    void directoriesThatAreReadableOrMissingDoNotLimitTheList() throws Exception {
        Session session = Session.withManager(layout, new Account("u", "g", 1000, root, true), Map.of(),
                ScriptTerminal.quiet(), false, manager, manager);
        assertFalse(new ListReport(session).accessLimited(), "a readable conf directory and no run directory yet");
        Files.createDirectories(layout.runDir());
        assertFalse(new ListReport(session).accessLimited(), "readable conf and run directories");
        Layout missing = new Layout(Mode.LOCAL, root.resolve("none/conf"), root.resolve("systemd"), root.resolve("none/run"),
                root.resolve("log"), PREFIX, new Identity("u", "g"));
        assertFalse(new ListReport(Session.withManager(missing, new Account("u", "g", 1000, root, true), Map.of(),
                ScriptTerminal.quiet(), false, manager, manager)).accessLimited(), "directories that do not exist hide nothing");
    }
}
