package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.FakeManager;
import io.iocagent.testbed.ScriptTerminal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One caller's session: PATH, the mode's hint flag, units by name, and connections opened once, on first use. */
class SessionTest {

    private static final Account ALICE = new Account("alice", "alice", 1000, Path.of("/home/alice"), true);

    private static Layout layout(Mode mode) {
        return new Layout(mode, Path.of("/c"), Path.of("/s"), Path.of("/r"), Path.of("/l"), "epics-@", new Identity("u", "g"));
    }

    private static Session session(Mode mode, Map<String, String> env) {
        FakeManager m = new FakeManager("epics-@");
        return Session.withManager(layout(mode), ALICE, env, ScriptTerminal.quiet(), false, m, m);
    }

    @Test
    void pathIsSplitWithoutEmptyEntriesAndDefaultsToTheUsualDirectories() {
        assertEquals(List.of(Path.of("/a"), Path.of("/b")), session(Mode.LOCAL, Map.of("PATH", ":/a::/b:")).searchPath());
        assertEquals(List.of(Path.of("/usr/local/bin"), Path.of("/usr/bin"), Path.of("/bin")),
                session(Mode.LOCAL, Map.of()).searchPath());
        assertEquals(List.of(), session(Mode.LOCAL, Map.of("PATH", "")).searchPath());
    }

    @Test
    void hintsNameLocalModeAndUnitsFollowTheTemplate() {
        assertEquals("--local ", session(Mode.LOCAL, Map.of()).modeFlag());
        assertEquals("", session(Mode.SYSTEM, Map.of()).modeFlag());
        assertEquals("epics-@x.service", session(Mode.SYSTEM, Map.of()).unit(new IocName("x")).toString());
        assertEquals(Mode.SYSTEM, session(Mode.SYSTEM, Map.of()).mode());
    }

    @Test
    void theConnectionsOpenOnFirstUseOnlyAndTheCommandLineMayRunSudo() {
        FakeManager m = new FakeManager("epics-@");
        AtomicInteger controls = new AtomicInteger();
        AtomicInteger queries = new AtomicInteger();
        Session s = new Session(layout(Mode.SYSTEM), ALICE, Map.of(), ScriptTerminal.quiet(), true, () -> {
            throw new AssertionError("no dbus-java connection is needed");
        }, () -> {
            controls.incrementAndGet();
            return m;
        }, () -> {
            queries.incrementAndGet();
            return m;
        });
        assertEquals(0, controls.get() + queries.get(), "nothing is opened before it is used");
        assertSame(m, s.systemd());
        assertSame(m, s.systemd());
        assertSame(m, s.queries());
        assertSame(m, s.queries());
        assertEquals(1, controls.get());
        assertEquals(1, queries.get());
        assertTrue(s.force());
        assertTrue(s.mayRunSudo(), "the command line may escalate through sudo");
        s.close();
    }

    @Test
    void anAgentSessionNeverRunsSudoAndReadsForItsOperators() {
        Session agent = Session.onSharedBus(layout(Mode.SYSTEM), ALICE, Map.of("IOC_AGENT_IOC_TREES", "/t"),
                ScriptTerminal.quiet(), false, () -> {
                    throw new IllegalStateException("no bus here");
                });
        assertFalse(agent.mayRunSudo());
        OperationException e = assertThrows(OperationException.class, () -> agent.files().readConf(Path.of("/etc/passwd")));
        assertTrue(e.getMessage().contains("not below an IOC tree (/t)"), e.getMessage());
        assertThrows(IllegalStateException.class, agent::systemd, "the shared connection is opened on first use");
        agent.close();
    }
}
