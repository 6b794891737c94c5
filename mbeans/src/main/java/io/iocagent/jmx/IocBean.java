package io.iocagent.jmx;

import io.iocagent.ops.ConsoleInspection;

import io.iocagent.conf.IocName;
import io.iocagent.model.ConsoleClientInfo;
import io.iocagent.model.IocSnapshot;
import io.iocagent.model.NetworkClient;
import io.iocagent.model.SnapshotSource;
import io.iocagent.crash.ChildExit;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.AttributeChangeNotification;
import javax.management.MBeanException;
import javax.management.MBeanNotificationInfo;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;

/**
 * {@link IocMXBean} of one IOC. Attributes read the source's current snapshot; when the IOC has
 * just left it (the MBean is about to be unregistered) they read the last snapshot seen, so a read
 * racing the removal still answers. Operations go to {@link Operations}. Thread-safe.
 */
final class IocBean extends NotificationBroadcasterSupport implements IocMXBean {

    private static final MBeanNotificationInfo[] NOTIFICATIONS = {
        new MBeanNotificationInfo(new String[] {AttributeChangeNotification.ATTRIBUTE_CHANGE},
                AttributeChangeNotification.class.getName(),
                "ActiveState or Readiness changed (attributeName, oldValue and newValue say how)")
    };

    private final IocName name;
    private final ObjectName objectName;
    private final SnapshotSource source;
    private final Operations operations;
    private final AtomicLong sequence = new AtomicLong();
    private volatile IocSnapshot last;

    /** @param delivery runs listener callbacks, so a slow listener never holds up the refresher */
    IocBean(IocSnapshot first, ObjectName objectName, SnapshotSource source, Operations operations, Executor delivery) {
        super(delivery, NOTIFICATIONS);
        this.name = new IocName(first.name());
        this.objectName = objectName;
        this.source = source;
        this.operations = operations;
        this.last = first;
    }

    ObjectName objectName() {
        return objectName;
    }

    /** Remembers the IOC as the newest snapshot has it. */
    void seen(IocSnapshot ioc) {
        last = ioc;
    }

    /** Emits the change as an {@link AttributeChangeNotification} whose source is this MBean's name. */
    void announce(SnapshotChanges.AttributeChange change, Instant at) {
        String message = "IOC " + name + ": " + change.attribute() + " " + change.oldValue() + " -> " + change.newValue();
        sendNotification(new AttributeChangeNotification(objectName, sequence.incrementAndGet(), at.toEpochMilli(),
                message, change.attribute(), String.class.getName(), change.oldValue(), change.newValue()));
    }

    private IocSnapshot ioc() {
        IocSnapshot now = source.current().iocs().get(name.value());
        return now != null ? now : last;
    }

    @Override
    public String getName() {
        return name.value();
    }

    @Override
    public boolean isInstalled() {
        return ioc().installed();
    }

    @Override
    public String getActiveState() {
        return ioc().activeState();
    }

    @Override
    public String getSubState() {
        return ioc().subState();
    }

    @Override
    public boolean isEnabled() {
        return ioc().enabled();
    }

    @Override
    public String getReadiness() {
        return ioc().readiness().name();
    }

    @Override
    public int getMainPid() {
        return ioc().mainPid();
    }

    @Override
    public int getChildPid() {
        return ioc().childPid();
    }

    @Override
    public double getCpuSeconds() {
        return ioc().cpuSeconds();
    }

    @Override
    public long getMemoryBytes() {
        return ioc().memoryBytes();
    }

    @Override
    public long getServiceRestarts() {
        return ioc().serviceRestarts();
    }

    @Override
    public long getChildRestarts() {
        return ioc().childRestarts();
    }

    @Override
    public String getStartedAt() {
        return Operations.iso(ioc().startedAt());
    }

    @Override
    public long getUptimeSeconds() {
        return ioc().uptimeSeconds(Instant.now());
    }

    @Override
    public String getSocketPath() {
        return ioc().socketPath();
    }

    @Override
    public String getSocketState() {
        return ioc().socketState();
    }

    @Override
    public int getConsoleClientCount() {
        return ioc().consoleClients().size();
    }

    @Override
    public List<ConsoleClientInfo> getConsoleClients() {
        return ioc().consoleClients();
    }

    @Override
    public List<Integer> getOrphanPids() {
        return ioc().orphanPids();
    }

    @Override
    public int getRecvQueue() {
        return ioc().recvQueue();
    }

    @Override
    public int getSendQueue() {
        return ioc().sendQueue();
    }

    @Override
    public String getConfPath() {
        return ioc().confPath();
    }

    @Override
    public String getLogPath() {
        return ioc().logPath();
    }

    @Override
    public String getCommand() {
        return ioc().command();
    }

    @Override
    public String getWorkingDirectory() {
        return ioc().workingDirectory();
    }

    @Override
    public String getLastError() {
        return ioc().lastError();
    }

    @Override
    public String getLastExit() {
        ChildExit exit = ioc().lastExit();
        return exit == null ? "" : exit.summary();
    }

    @Override
    public String getLastExitReason() {
        ChildExit exit = ioc().lastExit();
        return exit == null ? "" : exit.reason();
    }

    @Override
    public String getLastExitAt() {
        ChildExit exit = ioc().lastExit();
        return exit == null || exit.at() == null ? "" : exit.at().toString();
    }

    @Override
    public int getResponsive() {
        return ioc().responsiveness().flag();
    }

    @Override
    public double getProbeSeconds() {
        return ioc().responsiveness().probeSeconds();
    }

    @Override
    public int getCaServerPort() {
        return ioc().endpoints().caServerPort();
    }

    @Override
    public int getCaSearchPort() {
        return ioc().endpoints().caSearchPort();
    }

    @Override
    public int getPvaServerPort() {
        return ioc().endpoints().pvaServerPort();
    }

    @Override
    public int getCaClientCount() {
        return ioc().endpoints().caClients().size();
    }

    @Override
    public List<NetworkClient> getCaClients() {
        return ioc().endpoints().caClients();
    }

    @Override
    public int getPvaClientCount() {
        return ioc().endpoints().pvaClients().size();
    }

    @Override
    public List<NetworkClient> getPvaClients() {
        return ioc().endpoints().pvaClients();
    }

    @Override
    public String start() throws MBeanException {
        return operations.act(UnitAction.START, name);
    }

    @Override
    public String stop() throws MBeanException {
        return operations.act(UnitAction.STOP, name);
    }

    @Override
    public String restart() throws MBeanException {
        return operations.act(UnitAction.RESTART, name);
    }

    @Override
    public String enable() throws MBeanException {
        return operations.act(UnitAction.ENABLE, name);
    }

    @Override
    public String disable() throws MBeanException {
        return operations.act(UnitAction.DISABLE, name);
    }

    @Override
    public ConsoleInspection inspect() throws MBeanException {
        return operations.inspect(name);
    }

    @Override
    public List<String> tailLog(int lines) throws MBeanException {
        return operations.tailLog(name, lines);
    }

    @Override
    public String view() throws MBeanException {
        return operations.view(name);
    }
}
