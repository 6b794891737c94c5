package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JolokiaSettingsTest {

    private static final Path POLICY = Path.of("/etc/ioc-agent/jolokia-access.xml");

    @Test
    void defaultsListenOnLoopback8778WithoutExtraOrigins() {
        JolokiaSettings s = JolokiaSettings.defaults(POLICY);
        assertEquals("127.0.0.1", s.host());
        assertEquals(8778, s.port());
        assertEquals(List.of(), s.corsOrigins());
        assertNull(s.tls());
    }

    @Test
    void originsAreNormalisedAsBrowsersSendThem() {
        JolokiaSettings s = new JolokiaSettings("127.0.0.1", 0, null, POLICY,
                List.of("HTTPS://Console.Example:443", "http://console.example:8080/"), 1);
        assertEquals(List.of("https://console.example", "http://console.example:8080"), s.corsOrigins());
    }

    @Test
    void originWithPathOrWildcardIsRefusedWithAHint() {
        for (String bad : List.of("https://console.example/app", "*", "https://*.example", "console.example")) {
            EndpointException e = assertThrows(EndpointException.class,
                    () -> new JolokiaSettings("127.0.0.1", 0, null, POLICY, List.of(bad), 1), bad);
            assertTrue(e.getMessage().contains("'" + bad + "' is not an origin"), e.getMessage());
            assertTrue(e.hints().get(0).startsWith("-> "), e.hints().toString());
        }
    }

    @Test
    void outOfRangeValuesNameTheSetting() {
        assertTrue(assertThrows(EndpointException.class,
                () -> new JolokiaSettings("127.0.0.1", 70000, null, POLICY, List.of(), 1)).getMessage().contains("port 70000"));
        assertTrue(assertThrows(EndpointException.class,
                () -> new JolokiaSettings("127.0.0.1", 0, null, POLICY, List.of(), 0)).getMessage().contains("0 request threads"));
    }
}
