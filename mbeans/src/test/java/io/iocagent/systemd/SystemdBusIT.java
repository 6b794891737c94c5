package io.iocagent.systemd;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SystemdBus} against the real systemd user manager, with units from {@link TestBed}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemdBusIT {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(15);

    private TestBed bed;
    private SystemdBus bus;
    private String sleeper;

    @BeforeAll
    void setUp() throws IOException {
        bed = TestBed.open();
        bus = bed.connect(CALL_TIMEOUT);
        sleeper = bed.prefix("s");
        Path template = bed.writeTemplate(sleeper, "ExecStart=/bin/sleep 600");
        List<UnitFileChange> linked = bus.linkUnitFile(template, true);
        assertEquals(1, linked.size(), () -> "link changes: " + linked);
        assertEquals("symlink", linked.get(0).type());
    }

    @AfterAll
    void tearDown() throws Exception {
        if (bus != null) {
            bus.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void startRestartEnableDisableStopWalkThroughTheLifecycle() {
        UnitName unit = UnitName.of(sleeper, "life");

        assertTrue(bus.listUnits(sleeper).isEmpty(), "no instance is loaded before the first start");

        JobResult started = bus.start(unit, JOB_TIMEOUT);
        assertEquals("done", started.result());
        assertTrue(started.succeeded());
        UnitState running = bus.state(unit);
        assertAll(
                () -> assertEquals("loaded", running.loadState()),
                () -> assertEquals("active", running.activeState()),
                () -> assertEquals("running", running.subState()),
                () -> assertTrue(running.mainPid() > 0, "MainPID"),
                () -> assertTrue(running.execMainStartTimestamp().isPresent()),
                () -> assertTrue(running.activeEnterTimestamp().orElseThrow().isAfter(Instant.now().minusSeconds(60))),
                () -> assertTrue(running.controlGroup().endsWith("/" + unit), running.controlGroup()),
                () -> assertTrue(running.fragmentPath().endsWith(unit.templateFileName()), running.fragmentPath()),
                () -> assertEquals("disabled", running.unitFileState()));

        Map<UnitName, UnitSummary> listed = bus.listUnits(sleeper);
        assertEquals(List.of(unit), List.copyOf(listed.keySet()));
        assertEquals("running", listed.get(unit).subState());

        JobResult restarted = bus.restart(unit, JOB_TIMEOUT);
        assertEquals("done", restarted.result());
        int newPid = bus.state(unit).mainPid();
        assertTrue(newPid > 0);
        assertNotEquals(running.mainPid(), newPid, "restart gives a new main process");

        Path wants = TestBed.userUnitConfigDir().resolve("default.target.wants").resolve(unit.toString());
        List<UnitFileChange> enabled = bus.enable(unit);
        assertTrue(enabled.stream().anyMatch(c -> c.type().equals("symlink") && c.file().equals(wants.toString())),
                () -> "enable changes: " + enabled);
        assertTrue(Files.isSymbolicLink(wants), wants + " exists");
        assertEquals("enabled", bus.unitFileState(unit));
        assertTrue(bus.enable(unit).isEmpty(), "enabling again changes nothing");

        List<UnitFileChange> disabled = bus.disable(unit);
        assertTrue(disabled.stream().anyMatch(c -> c.type().equals("unlink") && c.file().equals(wants.toString())),
                () -> "disable changes: " + disabled);
        assertFalse(Files.exists(wants, java.nio.file.LinkOption.NOFOLLOW_LINKS), wants + " removed");
        assertEquals("disabled", bus.unitFileState(unit));

        assertEquals("done", bus.stop(unit, JOB_TIMEOUT).result());
        UnitState stopped = bus.state(unit);
        assertEquals("inactive", stopped.activeState());
        assertEquals(0, stopped.mainPid());
    }

    @Test
    @Order(2)
    void statesOfTwentyUnitsAreFetchedTogether() {
        List<UnitName> units = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            units.add(UnitName.of(sleeper, "many" + i));
        }
        // Five starts at once: each waits for its own JobRemoved among the others'.
        List<CompletableFuture<JobResult>> starts = units.subList(0, 5).stream()
                .map(unit -> CompletableFuture.supplyAsync(() -> bus.start(unit, JOB_TIMEOUT)))
                .toList();
        for (int i = 0; i < starts.size(); i++) {
            JobResult started = starts.get(i).join();
            assertEquals(units.get(i), started.unit());
            assertEquals("done", started.result());
        }
        long t0 = System.nanoTime();
        Map<UnitName, UnitState> states = bus.states(units);
        long concurrentMillis = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(units, List.copyOf(states.keySet()), "one state per unit, in order");
        assertEquals(5, states.values().stream().filter(s -> s.isActive() && s.mainPid() > 0).count());
        assertEquals(15, states.values().stream().filter(s -> s.activeState().equals("inactive")).count());
        System.out.println("states() of 20 units took " + concurrentMillis + " ms");

        for (UnitName unit : units.subList(0, 5)) {
            assertEquals("done", bus.stop(unit, JOB_TIMEOUT).result());
        }
    }

    @Test
    @Order(3)
    void startOfAUnitWhoseCommandFailsReportsFailure() throws IOException {
        String failing = bed.prefix("f");
        bus.linkUnitFile(bed.writeTemplate(failing, "Type=oneshot", "ExecStart=/bin/false"), true);
        UnitName unit = UnitName.of(failing, "broken");

        JobResult result = bus.start(unit, JOB_TIMEOUT);

        assertEquals("failed", result.result());
        assertFalse(result.succeeded());
        UnitState state = bus.state(unit);
        assertEquals("failed", state.activeState());
        assertEquals("exit-code", state.serviceResult());
    }

    @Test
    @Order(4)
    void aUnitWithoutTemplateIsNotFoundNotAnError() {
        UnitName missing = UnitName.of(bed.prefix("nothere"), "x");

        UnitState state = bus.state(missing);

        assertAll(
                () -> assertEquals("not-found", state.loadState()),
                () -> assertEquals("inactive", state.activeState()),
                () -> assertEquals(0, state.mainPid()),
                () -> assertTrue(state.cpuNanos().isEmpty()),
                () -> assertTrue(state.execMainStartTimestamp().isEmpty()),
                () -> assertEquals("", state.fragmentPath()));
        assertEquals("not-found", bus.unitFileState(missing));
        SystemdException e = assertThrows(SystemdException.class, () -> bus.start(missing, JOB_TIMEOUT));
        assertEquals(SystemdException.Reason.NO_SUCH_UNIT, e.reason());
        assertTrue(e.getMessage().startsWith("Cannot start " + missing + ": "), e.getMessage());
    }

    @Test
    @Order(5)
    void unitSearchPathIncludesTheUserConfigAndRuntimeDirectories() {
        List<Path> path = bus.unitSearchPath();

        assertTrue(path.contains(TestBed.userUnitConfigDir()), () -> path.toString());
        assertTrue(path.stream().anyMatch(p -> p.toString().endsWith("/systemd/user")), () -> path.toString());
    }

    @Test
    @Order(6)
    void losingTheBusGivesAClearErrorAndTheNextCallReconnectsAndResubscribes() throws Exception {
        TestBed.requireOrSkip(Files.isExecutable(Path.of("/usr/bin/socat")), "no 'socat' on PATH for the bus proxy");
        Path socket = bed.root().resolve("bus");
        String proxyAddress = "unix:path=" + socket;
        UnitName unit = UnitName.of(sleeper, "proxied");
        Process proxy = startProxy(socket);
        try (SystemdBus proxied = SystemdBus.connect(proxyAddress, Duration.ofSeconds(3))) {
            assertEquals("loaded", proxied.state(unit).loadState());
            assertEquals(1, proxied.sessionsOpened());

            // The connection drops but the bus is still there: the next read reconnects by itself.
            killConnections(proxy);
            assertEquals("loaded", proxied.state(unit).loadState());
            assertEquals(2, proxied.sessionsOpened());

            // The bus itself is gone: a clear error naming the address, no stack trace as message.
            stop(proxy);
            SystemdException e = assertThrows(SystemdException.class, () -> proxied.state(unit));
            assertEquals(SystemdException.Reason.BUS_UNREACHABLE, e.reason());
            assertTrue(e.problem().startsWith("Cannot reach systemd on D-Bus at " + proxyAddress), e.getMessage());
            assertTrue(e.hint().orElseThrow().contains("XDG_RUNTIME_DIR"), e.getMessage());
            assertFalse(e.getMessage().contains("\tat "), e.getMessage());

            // The bus is back: the next call reconnects, and JobRemoved signals arrive again.
            proxy = startProxy(socket);
            JobResult started = proxied.start(unit, JOB_TIMEOUT);
            assertEquals("done", started.result());
            assertEquals(3, proxied.sessionsOpened(), "one new connection, subscribed at connect");
            assertTrue(proxied.state(unit).isActive());
            assertEquals("done", proxied.stop(unit, JOB_TIMEOUT).result());
        } finally {
            stop(proxy);
        }
    }

    private Process startProxy(Path socket) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("socat", "UNIX-LISTEN:" + socket + ",fork,unlink-early",
                "UNIX-CONNECT:" + bed.busSocket())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // The file appears at bind(), before listen(): wait until a connection is accepted, or a
        // loaded machine can run the first call in between and be refused.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!accepts(socket) && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(20);
        }
        assertTrue(accepts(socket), "socat did not accept connections on " + socket + " within 30 s");
        return p;
    }

    private static boolean accepts(Path socket) {
        try (java.nio.channels.SocketChannel probe =
                     java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills the per-connection children socat forked, keeping the listener. */
    private static void killConnections(Process proxy) throws InterruptedException {
        List<ProcessHandle> children = proxy.descendants().toList();
        assertFalse(children.isEmpty(), "socat forked a child for the connection");
        children.forEach(ProcessHandle::destroy);
        for (ProcessHandle child : children) {
            child.onExit().orTimeout(5, TimeUnit.SECONDS).join();
        }
    }

    private static void stop(Process proxy) throws InterruptedException {
        proxy.descendants().forEach(ProcessHandle::destroy);
        proxy.destroy();
        proxy.waitFor(5, TimeUnit.SECONDS);
    }
}
