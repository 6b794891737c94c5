package io.iocagent.jmx;

import io.iocagent.ops.ConsoleInspection;
import io.iocagent.ops.Session;

import static io.iocagent.jmx.FakeSnapshotSource.ioc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.model.Readiness;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The MBean operations end to end on the test bed's systemd user manager and a stand-in IOC, wired
 * as the agent wires them ({@link io.iocagent.ops.Session#onSharedBus}): the transcripts are what the command
 * line prints, and the structured inspect result names procServ.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JmxLifecycleIT {

    private TestBed bed;
    private SystemdBus bus;
    private JmxSurface surface;
    private final FakeSnapshotSource source = new FakeSnapshotSource();
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private ManagerMXBean manager;

    @BeforeAll
    void open() {
        bed = TestBed.open();
        bus = bed.connect(Duration.ofSeconds(10));
        Account account = Account.current(bed.env());
        Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), account);
        Operations operations = new Operations(
                (terminal, force) -> Session.onSharedBus(layout, account, bed.env(), terminal, force, bus), source::refresh);
        try {
            surface = JmxSurface.register(server, source, operations);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        manager = JMX.newMXBeanProxy(server, JmxSurface.MANAGER, ManagerMXBean.class);
    }

    @AfterAll
    void close() {
        if (surface != null) {
            surface.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void generateInstallStartInspectTailViewStopAndRemoveThroughTheMBeans() throws Exception {
        String name = bed.iocName("jmx");
        Path dir = bed.iocBoot(name, Behaviour.HEALTHY);

        String generated = manager.generate(dir.toString());
        assertTrue(generated.contains("Configuration successfully generated and validated at: " + dir.resolve(name + ".conf")),
                generated);
        String installed = manager.install(dir.toString());
        assertTrue(installed.endsWith("IOC " + name + " installed in local mode. Use 'start' command to run it."), installed);

        // The refresher would list it now; the fake source is told so, and the IOC MBean appears.
        source.publish(ioc(name, "inactive", Readiness.STOPPED));
        IocMXBean ioc = JMX.newMXBeanProxy(server, JmxSurface.iocObjectName(new IocName(name)), IocMXBean.class);
        assertEquals(name, ioc.getName());

        String started = ioc.start();
        assertTrue(started.endsWith("IOC '" + name + "' successfully started."), "the verdict ends it:\n" + started);
        assertEquals("active", bed.activeState(bed.unit(name)));

        String pid = bed.systemctl("show", "-P", "MainPID", bed.unit(name)).trim();
        ConsoleInspection inspection = ioc.inspect();
        assertEquals(bed.runDir().resolve(name).resolve("control").toString(), inspection.socketPath());
        assertTrue(inspection.servers().stream().anyMatch(p -> String.valueOf(p.pid()).equals(pid)
                && p.command().contains("procServ")), inspection.toString());
        assertTrue(inspection.clients().isEmpty(), inspection.toString());

        TestBed.await(Duration.ofSeconds(10), "the readiness marker in the log",
                () -> readsMarker(ioc));
        String view = ioc.view();
        assertTrue(view.contains("IOC_CMD=\"./st.cmd\""), view);
        assertTrue(view.contains("ExecStart=/usr/bin/procServ"), view);

        MBeanException refused = assertThrows(MBeanException.class, () -> manager.install(dir.toString()));
        assertTrue(refused.getMessage().startsWith("Install refused: " + bed.unit(name) + " is active"), refused.getMessage());
        assertTrue(refused.getMessage().contains("Please stop the service explicitly"), refused.getMessage());

        String stopped = ioc.stop();
        assertEquals("IOC '" + name + "' stopped (inactive).", stopped);

        MBeanException overwrite = assertThrows(MBeanException.class, () -> manager.install(dir.toString()));
        assertTrue(overwrite.getMessage().contains("Do you want to overwrite it? [y/N]:"), overwrite.getMessage());
        assertTrue(overwrite.getMessage().contains("call installForce or generateForce"), overwrite.getMessage());

        String removed = manager.remove(name);
        assertTrue(removed.endsWith("IOC " + name + " removed."), removed);
        assertFalse(Files.exists(bed.confDir().resolve(name + ".conf")));
    }

    private static boolean readsMarker(IocMXBean ioc) {
        try {
            List<String> tail = ioc.tailLog(50);
            return tail.stream().anyMatch(l -> l.contains("All initialization complete"));
        } catch (MBeanException e) {
            return false;
        }
    }
}
