package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an IOC's CA/PVA endpoints say of themselves: which servers it has, where to reach them, and its clients' names. */
class IocEndpointsTest {

    @Test
    void aServerIsAPositivePort() {
        IocEndpoints ca = new IocEndpoints(5064, 5064, -1, List.of(), List.of());
        assertTrue(ca.servesCa());
        assertFalse(ca.servesPva());
        IocEndpoints pva = new IocEndpoints(0, -1, 5075, List.of(), List.of());
        assertFalse(pva.servesCa(), "port 0 is no server");
        assertTrue(pva.servesPva());
        IocEndpoints first = new IocEndpoints(1, -1, 1, List.of(), List.of());
        assertTrue(first.servesCa() && first.servesPva(), "port 1 is a server");
        assertFalse(IocEndpoints.NONE.servesCa() || IocEndpoints.NONE.servesPva());
        assertFalse(new IocEndpoints(-1, -1, 0, List.of(), List.of()).servesPva());
    }

    @Test
    void aCaServerOnEveryInterfaceIsReachedOnLoopback() {
        assertEquals(InetAddress.getLoopbackAddress().getHostAddress(),
                new IocEndpoints(5064, 5064, -1, List.of(), List.of()).caServerHost());
        assertEquals(InetAddress.getLoopbackAddress().getHostAddress(),
                new IocEndpoints(1, 1, -1, List.of(), List.of()).caServerHost());
        assertEquals("", new IocEndpoints(0, -1, 5075, List.of(), List.of()).caServerHost(), "no CA server, no host");
        assertEquals("", new IocEndpoints(5064, 5064, -1, List.of(), List.of(), null).caServerHost());
        assertEquals("10.0.0.5", new IocEndpoints(5064, 5064, -1, List.of(), List.of(), "10.0.0.5").caServerHost());
    }

    @Test
    void theClientListsAreCopies() {
        List<NetworkClient> clients = new ArrayList<>(List.of(new NetworkClient("127.0.0.1", 40000, 7)));
        IocEndpoints e = new IocEndpoints(5064, 5064, 5075, clients, clients);
        clients.clear();
        assertEquals(1, e.caClients().size());
        assertEquals(1, e.pvaClients().size());
        assertThrows(UnsupportedOperationException.class, () -> e.caClients().clear());
    }

    @Test
    void aClientIsNamedByAddressAndPortWithIpv6InBrackets() {
        assertEquals("127.0.0.1:40000", new NetworkClient("127.0.0.1", 40000, 7).endpoint());
        assertEquals("[::1]:40000", new NetworkClient("::1", 40000, -1).endpoint());
        assertEquals("[fe80::1%lo]:5", new NetworkClient("fe80::1%lo", 5, -1).endpoint());
        assertEquals("[:1:2]:3", new NetworkClient(":1:2", 3, -1).endpoint(),
                "a colon at the very start is IPv6 too");
    }
}
