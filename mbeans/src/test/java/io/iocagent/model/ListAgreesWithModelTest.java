package io.iocagent.model;

import io.iocagent.testbed.ScriptTerminal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.ops.IocRow;
import io.iocagent.ops.ListReport;
import io.iocagent.ops.Session;
import io.iocagent.posix.Account;
import io.iocagent.proc.ProcessTable;
import io.iocagent.systemd.SystemdException;
import io.iocagent.systemd.UnitName;
import io.iocagent.systemd.UnitProperty;
import io.iocagent.systemd.UnitQuery;
import io.iocagent.systemd.UnitState;
import io.iocagent.systemd.UnitSummary;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same sources — a conf directory, what systemd reports, the kernel's socket table, /proc and
 * the cgroup file system — fed to the command line's {@code list} and to the agent's model give
 * the same answer for every IOC: which IOCs there are, their state, PIDs, CPU, memory, console
 * socket path and state, and console clients.
 */
class ListAgreesWithModelTest {

    private static final String PREFIX = "epics-@";

    @TempDir
    Path root;

    private Layout layout() {
        return new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), PREFIX, new Identity("u", "g"));
    }

    @Test
    void listAndTheModelAgreeAboutEveryIoc() throws IOException {
        Layout layout = layout();
        Files.createDirectories(layout.confDir());
        Path console = root.resolve("elsewhere.sock"); // an IOC_PORT away from the standard RUN_DIR path
        conf(layout, "moved", "IOC_PORT=\"unix:u:g:0660:" + console + "\"\n");
        conf(layout, "standard", "IOC_PORT=\"\"\n");
        conf(layout, "fallback", "");
        conf(layout, "neverstarted", "");
        conf(layout, "broken", "IOC_CMD=\"unterminated\n");

        Map<UnitName, UnitState> systemd = new LinkedHashMap<>();
        // Accounting on in systemd, but an empty cgroup on disk: the cgroup reading wins.
        unit(systemd, "moved", "active", "running", 4242, "/no/such.slice/moved.service", 7_000_000_000L, 70_000_000L, "enabled");
        // No cgroup to read at all: systemd's accounting is used.
        unit(systemd, "fallback", "active", "running", 4343, "", 3_000_000_000L, 30_000_000L, "disabled");
        unit(systemd, "standard", "failed", "failed", 0, "", -1, -1, "enabled");
        unit(systemd, "orphan", "failed", "failed", 0, "", -1, -1, "");          // running without a conf: shown
        unit(systemd, "removed", "inactive", "dead", 0, "", -1, -1, "disabled"); // loaded, no conf: left out
        FakeQuery query = new FakeQuery(systemd);

        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(console));

            List<IocRow> rows;
            Account account = new Account("u", "g", 1000, root, true);
            try (Session session = new Session(layout, account, Map.of(), ScriptTerminal.quiet(), false,
                    () -> {
                        throw new AssertionError("list must not need dbus-java");
                    }, () -> query)) {
                rows = new ListReport(session).collect(ListReport.Detail.FULL);
            } catch (io.iocagent.ops.OperationException e) {
                throw new AssertionError("list failed: " + e.getMessage(), e);
            }
            Map<String, IocSnapshot> model = modelOf(layout, systemd);

            Map<String, IocRow> byName = new TreeMap<>();
            rows.forEach(r -> byName.put(r.name(), r));
            assertEquals(model.keySet(), byName.keySet(), "the IOCs list shows and the IOCs the model holds");
            assertEquals(new TreeSet<>(Set.of("broken", "fallback", "moved", "neverstarted", "orphan", "standard")),
                    byName.keySet(), "installed IOCs plus units that are not plain inactive");
            for (IocSnapshot ioc : model.values()) {
                IocRow row = byName.get(ioc.name());
                String who = "IOC " + ioc.name() + ": ";
                assertEquals(ioc.activeState().equals("unknown") ? "inactive" : ioc.activeState(), row.activeState(),
                        who + "state");
                assertEquals(ioc.mainPid(), row.mainPid().orElse(-1), who + "main PID");
                assertEquals(ioc.cpuSeconds(), row.cpuNanos().isPresent() ? row.cpuNanos().getAsLong() / 1e9 : Double.NaN,
                        who + "CPU seconds");
                assertEquals(ioc.memoryBytes(), row.memoryBytes().orElse(-1), who + "memory bytes");
                assertEquals(ioc.socketPath(), row.socketPath(), who + "console socket path");
                assertEquals(ioc.socketState(), row.socket().isPresent() ? "LISTEN" : "ABSENT", who + "console socket state");
                assertEquals(ioc.recvQueue(), row.socket().map(IocRow.SocketFacts::recvQueue).orElse(-1), who + "pending connections");
                assertEquals(ioc.consoleClients().stream().map(ConsoleClientInfo::pid).toList(),
                        row.clients().stream().map(IocRow.Client::pid).toList(), who + "console clients");
                assertEquals(ioc.enabled(), row.enabled().startsWith("enabled"), who + "enabled");
            }
            // The facts the two used to disagree about (ListReport vs TrackedIoc, before one rule):
            assertEquals(0L, byName.get("moved").cpuNanos().getAsLong(), "cgroup reading before systemd's accounting");
            assertEquals(3_000_000_000L, byName.get("fallback").cpuNanos().getAsLong(), "systemd's accounting when no cgroup");
            assertEquals(console.toString(), byName.get("moved").socketPath(), "IOC_PORT decides the socket path");
            assertEquals("LISTEN", model.get("moved").socketState(), "the console at IOC_PORT listens");
        }
    }

    /** The agent's path, step by step as {@link Poll} takes it. */
    private static Map<String, IocSnapshot> modelOf(Layout layout, Map<UnitName, UnitState> systemd) throws IOException {
        Instant now = Instant.now();
        Map<IocName, InstalledConf> installed = new ConfDirectory(layout).scan();
        Set<IocName> names = new TreeSet<>(installed.keySet());
        systemd.keySet().forEach(u -> names.add(u.name()));
        ProcessTable processes = new ProcessTable();
        List<TrackedIoc> iocs = new ArrayList<>();
        for (IocName name : names) {
            UnitState state = systemd.getOrDefault(new UnitName(PREFIX, name), notLoaded(name));
            if (!TrackedIoc.belongs(installed.get(name), state)) {
                continue;
            }
            TrackedIoc ioc = new TrackedIoc(name, layout, pid -> -1);
            ioc.conf(installed.get(name));
            ioc.unit(state, now, System.nanoTime());
            ioc.usage(ioc.active() ? CgroupUsage.of(processes, state.controlGroup()).orElse(null) : null);
            iocs.add(ioc);
        }
        Map<Path, ConsoleSurvey.Console> consoles = ConsoleSurvey.take(iocs.stream().map(TrackedIoc::socketPath).toList(),
                new UnixSocketDiag().dump(), processes);
        Map<String, IocSnapshot> snapshots = new TreeMap<>();
        for (TrackedIoc ioc : iocs) {
            ioc.console(consoles.getOrDefault(ioc.socketPath(), ConsoleSurvey.Console.ABSENT));
            snapshots.put(ioc.name().value(), ioc.snapshot(true, now));
        }
        return snapshots;
    }

    private static UnitState notLoaded(IocName name) {
        return new UnitState(new UnitName(PREFIX, name), "loaded", "inactive", "dead", "", 0, 0, Optional.empty(),
                Optional.empty(), "", OptionalLong.empty(), OptionalLong.empty(), "", List.of(), "disabled");
    }

    private static void unit(Map<UnitName, UnitState> systemd, String name, String active, String sub, int pid,
                             String cgroup, long cpu, long memory, String unitFile) {
        UnitName unit = UnitName.of(PREFIX, name);
        systemd.put(unit, new UnitState(unit, "loaded", active, sub, "success", pid, 0, Optional.empty(),
                active.equals("active") ? Optional.of(Instant.parse("2026-12-01T10:00:00Z")) : Optional.empty(), cgroup,
                cpu < 0 ? OptionalLong.empty() : OptionalLong.of(cpu), memory < 0 ? OptionalLong.empty() : OptionalLong.of(memory),
                "", List.of(), unitFile));
    }

    private static void conf(Layout layout, String name, String extra) throws IOException {
        Files.writeString(layout.confDir().resolve(name + ".conf"),
                "IOC_NAME=\"" + name + "\"\nIOC_USER=\"u\"\nIOC_GROUP=\"g\"\nIOC_CHDIR=\"/tmp\"\nIOC_CMD=\"./st.cmd\"\n" + extra);
    }

    /** systemd as a fixed table: a listing of the loaded units, and their whole states when asked. */
    private static final class FakeQuery implements UnitQuery {
        private final Map<UnitName, UnitState> units;

        FakeQuery(Map<UnitName, UnitState> units) {
            this.units = units;
        }

        @Override
        public Map<UnitName, UnitSummary> listUnits(String templatePrefix) {
            Map<UnitName, UnitSummary> listed = new TreeMap<>();
            units.values().forEach(s -> listed.put(s.unit(),
                    new UnitSummary(s.unit(), "", s.loadState(), s.activeState(), s.subState(), "")));
            return listed;
        }

        @Override
        public Map<UnitName, UnitState> states(Collection<UnitName> asked, Set<UnitProperty> properties) {
            Map<UnitName, UnitState> answer = new LinkedHashMap<>();
            for (UnitName u : asked) {
                answer.put(u, units.getOrDefault(u, notLoaded(u.name())));
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
    }
}
