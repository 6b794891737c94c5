package io.iocagent.ops;

import io.iocagent.testbed.ScriptTerminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.UnitName;
import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's sessions in system mode, not root, on a real manager (the test bed's user manager
 * stands in for PID 1; the layout says system mode and the account is not root, as for
 * {@code ioc-agent}): enable, disable and the removal of an enabled IOC are refused before
 * anything changes, and a removal of an IOC that is not enabled still works. Root's own session
 * sets the stage and checks the result.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EnablementIT {

    private static final Account AGENT = new Account("ioc-agent", "ioc-agent", 64999, Path.of("/nonexistent"), false);

    private TestBed bed;
    private SystemdBus bus;
    private final List<String> lines = new ArrayList<>();

    @BeforeEach
    void open() {
        bed = TestBed.open();
        bus = bed.connect(Duration.ofSeconds(10));
    }

    @AfterEach
    void close() {
        if (bus != null) {
            bus.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void theAgentRefusesEnableDisableAndTheRemovalOfAnEnabledIocAndChangesNothing() throws Exception {
        Account root = Account.current(bed.env());
        Layout local = Layout.resolve(Mode.LOCAL, bed.env(), root);
        Session admin = Session.onSharedBus(local, root, bed.env(), terminal(), true, bus);
        String ioc = bed.iocName("enabled");
        IocName name = new IocName(ioc);
        String boot = bed.iocBoot(ioc, Behaviour.HEALTHY).toString();
        new Generator(admin).generate(boot);
        new Installer(admin).install(boot);
        new Lifecycle(admin).start(name);
        new Lifecycle(admin).enable(name);
        UnitName unit = admin.unit(name);
        Path conf = local.confFile(name);

        Layout system = new Layout(Mode.SYSTEM, local.confDir(), local.systemdDir(), local.runDir(), local.logDir(),
                local.templatePrefix(), local.identity());
        Session agent = Session.onSharedBus(system, AGENT, bed.env(), terminal(), true, bus);
        assertEquals(Enablement.Route.REFUSED, Enablement.of(agent).route());

        OperationException enable = assertThrows(OperationException.class, () -> new Lifecycle(agent).enable(name));
        assertEquals("The agent does not enable IOC units in system mode (" + unit + ").", enable.getMessage());
        OperationException disable = assertThrows(OperationException.class, () -> new Lifecycle(agent).disable(name));
        assertEquals("The agent does not disable IOC units in system mode (" + unit + ").", disable.getMessage());
        OperationException remove = assertThrows(OperationException.class, () -> new Remover(agent).remove(name));
        assertEquals("IOC '" + ioc + "' is enabled; the agent cannot disable it in system mode, so it was not removed.",
                remove.getMessage());
        assertTrue(remove.details().get(1).contains("ioc-runner disable " + ioc), remove.details().toString());

        assertTrue(Files.isRegularFile(conf), "the conf is kept");
        assertTrue(bus.state(unit).isActive(), "IOC " + ioc + " still runs: " + bus.state(unit).activeState());
        assertTrue(bus.unitFileState(unit).startsWith("enabled"), "still enabled: " + bus.unitFileState(unit));

        // Disabled by someone who may, the agent removes it.
        new Lifecycle(admin).disable(name);
        new Remover(agent).remove(name);
        assertTrue(Files.notExists(conf), "removed");
        assertTrue(!bus.state(unit).isActive(), "stopped: " + bus.state(unit).activeState());
    }

    private Terminal terminal() {
        return ScriptTerminal.into(lines);
    }
}
