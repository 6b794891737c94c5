package io.iocagent.testbed;

import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.conf.UnitTemplates;
import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Refresher;
import io.iocagent.posix.Account;
import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.SystemdException;
import io.iocagent.systemd.UnitName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;

/**
 * The live model over a {@link TestBed}: the local layout of the bed, the shipped local template
 * (with {@code --holdoff=1}, so procServ restarts a dying child after one second) linked into the
 * bed's manager, and a second {@link SystemdBus} that acts on units the way an operator would.
 */
public final class ModelBed implements AutoCloseable {

    public static final Duration CALL_TIMEOUT = SystemdBus.DEFAULT_CALL_TIMEOUT; // a daemon-reload of a busy shared manager can take seconds
    public static final Duration JOB_TIMEOUT = Duration.ofSeconds(30);

    private final TestBed bed;
    private final SystemdBus operator;
    private final Layout layout;

    private ModelBed(TestBed bed, SystemdBus operator, Layout layout) {
        this.bed = bed;
        this.operator = operator;
        this.layout = layout;
    }

    /** Opens a test bed (skipping or failing the test as {@link TestBed#open} does) and links the template. */
    public static ModelBed open() {
        TestBed bed = TestBed.open();
        SystemdBus bus = null;
        try {
            bus = bed.connect(CALL_TIMEOUT);
            Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), Account.current(bed.env()));
            String template = UnitTemplates.local(layout.confDir(), layout.logDir(), Path.of("/usr/bin/procServ"))
                    .replace("--foreground", "--foreground --holdoff=1");
            Path file = Files.writeString(bed.root().resolve(layout.templateFileName()), template);
            bus.linkUnitFile(file, true);
            return new ModelBed(bed, bus, layout);
        } catch (SystemdException e) {
            close(bus, bed);
            TestBed.requireOrSkip(false, "cannot reach the user manager: " + e.problem());
            throw e;
        } catch (IOException e) {
            close(bus, bed);
            throw new UncheckedIOException(e);
        }
    }

    public TestBed bed() {
        return bed;
    }

    public Layout layout() {
        return layout;
    }

    /** The operator's connection: start, stop, restart as {@code systemctl} would. */
    public SystemdBus operator() {
        return operator;
    }

    public UnitName unit(String name) {
        return UnitName.of(layout.templatePrefix(), name);
    }

    /** A refresher over this bed's layout and manager; the caller starts and closes it. */
    public Refresher refresher(Duration pollInterval) {
        return refresher(pollInterval, bed.busAddress());
    }

    /** A refresher that reaches the manager at {@code busAddress} (a proxy a test can cut). */
    public Refresher refresher(Duration pollInterval, String busAddress) {
        return new Refresher(layout, () -> SystemdBus.connect(busAddress, CALL_TIMEOUT), pollInterval, Clock.systemUTC());
    }

    /** Installs stand-in {@code name} the way install does: conf staged elsewhere, renamed into place. */
    public void install(String name, Behaviour behaviour) throws IOException {
        install(name, bed.iocBoot(name, behaviour), "");
    }

    /** Installs the IOC whose {@code st.cmd} is in {@code dir}, with {@code extraLines} appended to its conf. */
    public void install(String name, Path dir, String extraLines) throws IOException {
        String text = "IOC_CMD=\"./st.cmd\"\n"
                + "IOC_CHDIR=\"" + dir + "\"\n"
                + "IOC_PORT=\"" + IocPort.standard(layout.identity(), layout.runDir(), new IocName(name)) + "\"\n"
                + extraLines;
        Path staged = Files.writeString(bed.root().resolve(name + ".conf.staged"), text);
        Files.move(staged, layout.confDir().resolve(name + ".conf"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Installs a healthy stand-in {@code name}, starts the refresher and the unit; returns the IOC once READY. */
    public IocSnapshot startReady(Refresher refresher, String name) throws Exception {
        install(name, Behaviour.HEALTHY);
        ModelRecorder rec = ModelRecorder.of(refresher);
        refresher.start();
        operator.start(unit(name), JOB_TIMEOUT);
        rec.await(name + " READY", 0, Duration.ofSeconds(60),
                ModelRecorder.ioc(name, i -> i.readiness() == Readiness.READY && i.childPid() > 0));
        return refresher.current().iocs().get(name);
    }

    @Override
    public void close() {
        close(operator, bed);
    }

    private static void close(SystemdBus bus, TestBed bed) {
        if (bus != null) {
            bus.close();
        }
        bed.close();
    }
}
