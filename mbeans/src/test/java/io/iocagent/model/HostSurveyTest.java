package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the model reads of the host, over the real kernel tables: consoles by path, nothing asked
 * when there is nothing to ask about, and a cgroup that cannot be read leaving its IOC without
 * usage or endpoints rather than failing the reading.
 */
class HostSurveyTest {

    private static final IocName A = new IocName("a");
    private static final IocName B = new IocName("b");

    @TempDir
    Path root;

    private final HostSurvey host = new HostSurvey();
    private final List<String> problems = new ArrayList<>();

    @Test
    void nothingToAskAboutAsksNothing() {
        assertEquals(Map.of(), host.consoles(List.of(), problems));
        assertEquals(Map.of(), host.endpoints(Map.of(), Map.of(), problems));
        assertEquals(Map.of(), host.usage(Map.of(), true));
        assertEquals(List.of(), problems);
    }

    @Test
    void consolesAreReadByPath() throws Exception {
        Path listening = root.resolve("a.sock");
        Path idle = root.resolve("b.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(listening));
            Map<Path, ConsoleSurvey.Console> consoles = host.consoles(List.of(listening, idle), problems);
            assertTrue(consoles.get(listening).listening(), consoles.toString());
            assertEquals(ConsoleSurvey.Console.ABSENT, consoles.get(idle));
            assertEquals(List.of(), problems);
        }
    }

    @Test
    void groupsThatCannotBeReadGiveNothingToSeeAndNoEndpoints() {
        Map<IocName, String> groups = Map.of(A, "/no-such.slice/epics-@a.service", B, "relative/group");
        Map<IocName, CgroupUsage> usage = host.usage(groups, true);
        assertTrue(!usage.containsKey(B), "a relative group name is never read: " + usage);
        usage.values().forEach(u -> assertEquals(new CgroupUsage(0, 0), u, "a group without processes uses nothing"));
        assertEquals(Map.of(A, IocEndpoints.NONE, B, IocEndpoints.NONE), host.endpoints(groups, Map.of(A, 100), problems));
        assertEquals(List.of(), problems, "an unreadable group is no problem of the whole reading");
        host.retain(List.of());
    }

    @Test
    void detailsCarryTheConsolesUsageAndEndpointsOfTheNamedIocs() throws Exception {
        Path socket = root.resolve("a.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            Readings r = host.details(Set.of(A), Map.of(A, socket), Map.of(A, "/no-such.slice/epics-@a.service"),
                    Map.of(A, 100));
            assertEquals(Set.of(A), r.names());
            assertTrue(r.consoles().get(socket).listening(), r.toString());
            assertTrue(Set.of(A).containsAll(r.usage().keySet()), r.toString());
            assertEquals(Set.of(A), r.usageRead(), "usage was read for a, if there was none");
            assertEquals(Map.of(A, IocEndpoints.NONE), r.endpoints());
            assertEquals(List.of(), r.problems());
        }
    }
}
