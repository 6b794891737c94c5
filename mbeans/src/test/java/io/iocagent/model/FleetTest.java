package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one update path: how {@link Fleet#apply} folds readings of any trigger into the tracked IOCs. */
class FleetTest {

    private static final String PREFIX = "epics-@";
    private static final IocName A = new IocName("a");
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    @TempDir
    Path root;
    private Layout layout;
    private Fleet fleet;
    private Map<IocName, InstalledConf> installed;

    @BeforeEach
    void setUp() throws IOException {
        layout = new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), PREFIX, new Identity("u", "g"));
        Files.createDirectories(layout.confDir());
        Files.createDirectories(layout.logDir());
        Files.writeString(layout.confDir().resolve("a.conf"),
                "IOC_NAME=\"a\"\nIOC_USER=\"u\"\nIOC_GROUP=\"g\"\nIOC_CHDIR=\"/tmp\"\nIOC_CMD=\"./st.cmd\"\n");
        Files.writeString(layout.logFile(A), "@@@ The PID of new child \"./st.cmd\" is: 101\n");
        installed = new ConfDirectory(layout).scan();
        fleet = new Fleet(layout, new ReconcileSchedule(Duration.ofSeconds(5)));
        Set<IocName> follow = fleet.apply(poll(Map.of(A, state("active", 100)), System.nanoTime()), NOW);
        assertTrue(follow.contains(A), "an IOC whose unit became active has its console and usage read next");
        assertEquals("active", ioc().activeState());
    }

    @Test
    void aPollsStateOlderThanAChildLineItsLogReadFoundIsDropped() throws IOException {
        long statesReadAt = System.nanoTime(); // the poll asks systemd ...
        Files.writeString(layout.logFile(A), "@@@ Received a sigChild for PID 101\n"
                + "@@@ The PID of new child \"./st.cmd\" is: 102\n", StandardOpenOption.APPEND); // ... the log moves on
        Set<IocName> follow = fleet.apply(poll(Map.of(A, state("inactive", 0)), statesReadAt), NOW);
        assertEquals("active", ioc().activeState(),
                "IOC a: a state asked for before the log's child lines must not be applied after them");
        assertTrue(follow.contains(A), "its child changed: its console, usage and state are read again");

        fleet.apply(Readings.states(Set.of(A), fleet.confs(Set.of(A)), Map.of(A, state("inactive", 0)),
                System.nanoTime()), NOW);
        assertEquals("inactive", ioc().activeState(), "IOC a: a state asked for after the log is applied");
    }

    @Test
    void aStateOlderThanTheHeldOneIsDropped() {
        long older = System.nanoTime();
        fleet.apply(Readings.states(Set.of(A), fleet.confs(Set.of(A)), Map.of(A, state("deactivating", 100)),
                System.nanoTime()), NOW);
        fleet.apply(Readings.states(Set.of(A), fleet.confs(Set.of(A)), Map.of(A, state("active", 100)), older), NOW);
        assertEquals("deactivating", ioc().activeState(), "IOC a: an older reading overwrote a newer one");
    }

    @Test
    void aCompleteReadingDropsIocsThatNoLongerExistAndAPartialOneDoesNot() {
        fleet.apply(Readings.details(Set.of(), Map.of(), Map.of(), List.of()), NOW);
        assertEquals(Set.of("a"), fleet.snapshots(true, NOW).keySet(), "a partial reading about no IOC removed one");
        fleet.apply(new Readings(Set.of(), true, Map.of(), Map.of(), System.nanoTime(), null, null, null, List.of()),
                NOW);
        assertTrue(fleet.snapshots(true, NOW).isEmpty(), "IOC a without conf or unit must leave the model");
    }

    @Test
    void consolesAndUsageOfAReadingReachTheSnapshot() {
        Path socket = installed.get(A).socketPath();
        fleet.apply(Readings.details(Set.of(A), Map.of(socket, new ConsoleSurvey.Console(true, 4711L, 0, 5, List.of())),
                Map.of(A, new CgroupUsage(2_500_000_000L, 42L << 20)), List.of()), NOW);
        IocSnapshot a = ioc();
        assertEquals("LISTEN", a.socketState());
        assertEquals(2.5, a.cpuSeconds(), 1e-9);
        assertEquals(42L << 20, a.memoryBytes());
        assertFalse(a.consoleClients().iterator().hasNext());
    }

    private IocSnapshot ioc() {
        return fleet.snapshots(true, NOW).get("a");
    }

    private Readings poll(Map<IocName, UnitState> states, long readAt) {
        return new Readings(Set.of(A), true, installed, states, readAt, null, null, null, List.of());
    }

    private static UnitState state(String active, int pid) {
        UnitName unit = UnitName.of(PREFIX, "a");
        return new UnitState(unit, "loaded", active, active.equals("active") ? "running" : "dead", "success", pid, 0,
                Optional.empty(), Optional.empty(), "/user.slice/epics-@a.service", OptionalLong.empty(),
                OptionalLong.empty(), "", List.of(), "enabled");
    }

    // ---- what a poll plans, and the questions the threads ask the fleet ----

    private static final IocName B = new IocName("b");

    @Test
    void aPlanCoversInstalledListedAndHeldIocsWithTheActiveOnesGroupsAndPids() {
        UnitName b = UnitName.of(PREFIX, "b");
        Fleet.PollPlan plan = fleet.plan(installed,
                Map.of(b, new io.iocagent.systemd.UnitSummary(b, "", "loaded", "inactive", "dead", "")), true);
        assertEquals(Set.of(A, B), plan.names(), "the installed a and the listed b");
        assertEquals(Set.of(A), plan.held());
        assertEquals(Set.of(A, B), plan.statesToRead(), "a poll that reads all reads every unit");
        assertEquals(installed.get(A).socketPath(), plan.socketPaths().get(A));
        assertEquals(layout.socketPath(B), plan.socketPaths().get(B), "an IOC without conf: the standard socket");
        assertEquals(Map.of(A, "/user.slice/epics-@a.service"), plan.controlGroups());
        assertEquals(Map.of(A, 100), plan.mainPids());

        Fleet.PollPlan unreachable = fleet.plan(null, null, false);
        assertEquals(Set.of(A), unreachable.names(), "without the directory or systemd the held IOCs count");
        assertEquals(Set.of(), unreachable.statesToRead(), "systemd unreachable: nothing to read");
        assertEquals(installed.get(A).socketPath(), unreachable.socketPaths().get(A), "the held conf's socket");
    }

    @Test
    void heldIocsWithoutAConfAreNotPlannedFromTheHeldConfs() {
        fleet.apply(Readings.states(Set.of(A), Map.of(), Map.of(A, state("active", 100)), System.nanoTime()), NOW);
        Fleet.PollPlan plan = fleet.plan(null, Map.of(), false);
        assertEquals(Set.of(), plan.names(), "no conf held and not listed by systemd");
    }

    @Test
    void onlyTrackedActiveIocsHaveGroupsPidsAndCountAsActive() {
        assertEquals(Set.of(A), fleet.activeAmong(List.of(A, B)));
        assertEquals(Map.of(A, "/user.slice/epics-@a.service"), fleet.controlGroups(List.of(A, B)));
        assertEquals(Map.of(A, 100), fleet.mainPids(List.of(A, B)));
        assertEquals(Map.of(A, installed.get(A).socketPath()), fleet.socketPaths(List.of(A, B)));
        Map<IocName, InstalledConf> confs = fleet.confs(List.of(A, B));
        assertEquals(installed.get(A), confs.get(A));
        assertTrue(confs.containsKey(B) && confs.get(B) == null, "an untracked IOC has no conf: " + confs);

        fleet.apply(Readings.states(Set.of(A), fleet.confs(Set.of(A)), Map.of(A, state("inactive", 0)), System.nanoTime()),
                NOW);
        assertEquals(Set.of(), fleet.activeAmong(List.of(A)));
        assertEquals(Map.of(), fleet.controlGroups(List.of(A)));
        assertEquals(Map.of(), fleet.mainPids(List.of(A)));
    }

    @Test
    void readingTheLogsNamesTheIocsWhoseChildChanged() throws IOException {
        assertEquals(Set.of(), fleet.readLogs(null, NOW), "nothing new in the log");
        Files.writeString(layout.logFile(A), "@@@ The PID of new child \"./st.cmd\" is: 102\n", StandardOpenOption.APPEND);
        assertEquals(Set.of(A), fleet.readLogs(List.of(A, B), NOW), "a's child changed; b is not tracked");
        Files.writeString(layout.logFile(A), "@@@ The PID of new child \"./st.cmd\" is: 103\n", StandardOpenOption.APPEND);
        assertEquals(Set.of(A), fleet.readLogs(null, NOW), "every IOC when no names are given");
    }

    @Test
    void theProbesFindingsChangeOnlyWhenWhetherTheIocAnswersChanges() {
        Responsiveness answers = new Responsiveness(Responsiveness.State.RESPONSIVE, 101, 0.01);
        assertTrue(fleet.probed(Map.of(A, answers)));
        assertFalse(fleet.probed(Map.of(A, new Responsiveness(Responsiveness.State.RESPONSIVE, 101, 0.02))),
                "a new probe time alone changes nothing");
        assertTrue(fleet.probed(Map.of(A, new Responsiveness(Responsiveness.State.RESPONSIVE, 102, 0.02))),
                "another child");
        assertFalse(fleet.probed(Map.of(B, answers)), "an IOC not tracked");
        assertTrue(fleet.probed(Map.of(B, answers, A, Responsiveness.UNPROBED)), "any one change counts");
    }
}
