package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.model.IocEndpoints;
import io.iocagent.model.IocSnapshot;
import io.iocagent.model.NetworkClient;
import io.iocagent.model.Readiness;
import io.iocagent.model.Refresher;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.EpicsBase;
import io.iocagent.testbed.EpicsIoc;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Channel Access and PV Access endpoints of real softIocs, as the model (and so the MBeans and
 * {@code /metrics}) sees them: the server ports the kernel's socket table shows, and each client
 * connected by a real EPICS client tool, named by its PID.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class EpicsEndpointsIT {

    private static final Duration WAIT = Duration.ofSeconds(45);

    private static TestBed bed;
    private static EpicsBase epics;
    private static Refresher refresher;

    @BeforeAll
    static void openTestBed() throws IOException {
        bed = TestBed.open();
        epics = EpicsBase.require();
        Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), Account.current(bed.env()));
        refresher = new Refresher(layout, () -> SystemdBus.connect(bed.busAddress(), Duration.ofSeconds(5)),
                Duration.ofSeconds(1), Clock.systemUTC());
        refresher.start();
    }

    @AfterAll
    static void closeTestBed() {
        if (refresher != null) {
            refresher.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    /** Generates, installs and starts a healthy real IOC serving on {@code ports}. */
    private static String started(String base, boolean pva, EpicsBase.Ports ports) throws IOException {
        String name = EpicsIocIT.installed(bed, base, EpicsIoc.HEALTHY, pva, ports);
        CliRun start = CliRun.of(bed.env(), "--local", "start", name);
        assertEquals(0, start.exit(), start.transcript());
        return name;
    }

    private static IocSnapshot await(String name, String what, Predicate<IocSnapshot> condition) {
        TestBed.await(WAIT, "IOC " + name + ": " + what, () -> {
            IocSnapshot i = refresher.current().iocs().get(name);
            return i != null && condition.test(i);
        });
        return refresher.current().iocs().get(name);
    }

    @Test
    void camonitorOnASoftIocShowsAsOneCaClientWithItsPid() throws Exception {
        EpicsBase.Ports ports = EpicsBase.Ports.free();
        String name = started("caclient", false, ports);
        IocSnapshot ready = await(name, "READY with its CA server seen",
                i -> i.readiness() == Readiness.READY && i.endpoints().servesCa());
        IocEndpoints e = ready.endpoints();
        assertEquals(ports.ca(), e.caServerPort(), "CA server port of " + name + ": " + e);
        assertEquals(ports.ca(), e.caSearchPort(), "CA search port of " + name + ": " + e);
        assertEquals(-1, e.pvaServerPort(), "softIoc serves no PVA: " + e);
        assertEquals(List.of(), e.caClients(), "no client yet: " + e);

        // which: the IOC that serves a PV is found by asking it over its own CA port; an unknown PV by none.
        CliRun which = CliRun.of(bed.env(), "--local", "which", name + ":counter");
        assertEquals(0, which.exit(), which.transcript());
        assertTrue(which.out().contains("PV '" + name + ":counter' is served by IOC '" + name + "'")
                && which.out().contains("CA port " + ports.ca()), which.transcript());
        CliRun whichJson = CliRun.of(bed.env(), "--local", "which", "--json", name + ":counter");
        assertEquals(0, whichJson.exit(), whichJson.transcript());
        assertTrue(whichJson.out().contains("\"servedBy\":[{\"ioc\":\"" + name + "\""), whichJson.transcript());
        CliRun nobody = CliRun.of(bed.env(), "--local", "which", name + ":no_such_record");
        assertEquals(4, nobody.exit(), nobody.transcript());
        assertTrue(nobody.out().startsWith("No IOC of this host (local mode) serves PV"), nobody.transcript());
        CliRun hostile = CliRun.of(bed.env(), "--local", "which", "x\u001b[2Jy");
        assertEquals(1, hostile.exit(), hostile.transcript());
        assertTrue(!hostile.transcript().contains("\u001b"), "control characters are not echoed: " + hostile.transcript());

        Path out = bed.root().resolve(name + "-camonitor.out");
        Process camonitor = epics.spawn(epics.clientEnv(ports), out, "camonitor", name + ":counter");
        try {
            IocSnapshot watched = await(name, "one CA client, camonitor " + camonitor.pid(),
                    i -> i.endpoints().caClients().size() == 1);
            NetworkClient client = watched.endpoints().caClients().get(0);
            assertEquals(camonitor.pid(), client.pid(), "the CA client of " + name + " is camonitor: " + client);
            assertEquals("127.0.0.1", client.address(), client.toString());

            // The command line derives the same facts by the same survey.
            CliRun json = CliRun.of(bed.env(), "--local", "list", "--json");
            assertEquals(0, json.exit(), json.transcript());
            String row = json.out().substring(json.out().indexOf("{\"name\":\"" + name + "\""));
            assertTrue(row.contains("\"channelAccess\":{\"serverPort\":" + ports.ca() + ",\"searchPort\":" + ports.ca()
                    + ",\"clients\":[{\"address\":\"127.0.0.1\",\"port\":" + client.port() + ",\"pid\":"
                    + camonitor.pid() + "}]},\"pvAccess\":null"), json.out());
            CliRun vv = CliRun.of(bed.env(), "--local", "list", "-vv");
            String line = vv.out().lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow();
            assertTrue(line.endsWith("| " + ports.ca() + "/1" + " ".repeat(12 - (ports.ca() + "/1").length()) + " | -"
                    + " ".repeat(11) + " | -"), "list -vv CA, PVA and ORPHANS columns: " + line);
            CliRun inspect = CliRun.of(bed.env(), "--local", "inspect", name);
            assertEquals(0, inspect.exit(), inspect.transcript());
            String section = inspect.out().substring(inspect.out().indexOf("4. Channel Access"));
            assertTrue(section.contains("CA  server: TCP " + ports.ca()), section);
            assertTrue(section.contains(" " + camonitor.pid() + " ") && section.contains("camonitor"), section);
        } finally {
            camonitor.destroy();
            camonitor.waitFor(10, TimeUnit.SECONDS);
        }
        await(name, "no CA client after camonitor ended", i -> i.endpoints().caClients().isEmpty());
        CliRun.of(bed.env(), "--local", "stop", name);
        await(name, "no endpoints once stopped", i -> i.endpoints().equals(IocEndpoints.NONE));
    }

    @Test
    void pvmonitorAndPvgetOnASoftIocPvaShowAsPvaClients() throws Exception {
        EpicsBase.Ports ports = EpicsBase.Ports.free();
        String name = started("pvaclient", true, ports);
        IocEndpoints e = await(name, "READY with CA and PVA servers seen", i -> i.readiness() == Readiness.READY
                && i.endpoints().servesCa() && i.endpoints().servesPva()).endpoints();
        assertEquals(ports.ca(), e.caServerPort(), e.toString());
        assertEquals(ports.pva(), e.pvaServerPort(), e.toString());

        Path out = bed.root().resolve(name + "-pvmonitor.out");
        Process pvmonitor = epics.spawn(epics.clientEnv(ports), out, "pvmonitor", name + ":counter");
        try {
            IocSnapshot watched = await(name, "one PVA client, pvmonitor " + pvmonitor.pid(),
                    i -> i.endpoints().pvaClients().size() == 1);
            assertEquals(pvmonitor.pid(), watched.endpoints().pvaClients().get(0).pid(),
                    "the PVA client of " + name + " is pvmonitor: " + watched.endpoints());
            assertEquals(List.of(), watched.endpoints().caClients(), "pvmonitor speaks no CA: " + watched.endpoints());
        } finally {
            pvmonitor.destroy();
            pvmonitor.waitFor(10, TimeUnit.SECONDS);
        }
        await(name, "no PVA client after pvmonitor ended", i -> i.endpoints().pvaClients().isEmpty());
        EpicsBase.ToolRun get = epics.run(epics.clientEnv(ports), 20, "pvget", "-w", "5", name + ":temperature");
        assertEquals(0, get.exit(), "pvget answered: " + get.out());
        CliRun.of(bed.env(), "--local", "stop", name);
    }

    @Test
    void aStandInThatServesNoChannelAccessHasNoEndpoints() throws Exception {
        String name = bed.iocName("nocas");
        Path dir = bed.iocBoot(name, Behaviour.HEALTHY);
        CliRun generate = CliRun.of(bed.env(), "--local", "generate", dir.toString());
        assertEquals(0, generate.exit(), generate.transcript());
        CliRun install = CliRun.of(bed.env(), "--local", "install", dir.resolve(name + ".conf").toString());
        assertEquals(0, install.exit(), install.transcript());
        assertEquals(0, CliRun.of(bed.env(), "--local", "start", name).exit());
        IocSnapshot ready = await(name, "READY", i -> i.readiness() == Readiness.READY && i.childPid() > 0);
        refresher.refreshNow(); // a full poll after READY: the survey has looked at the running child
        assertEquals(IocEndpoints.NONE, refresher.current().iocs().get(name).endpoints(),
                "a stand-in serves neither CA nor PVA: " + ready);
        CliRun.of(bed.env(), "--local", "stop", name);
    }
}
