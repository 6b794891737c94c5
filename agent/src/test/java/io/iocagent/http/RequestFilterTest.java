package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestFilterTest {

    @Test
    void loopbackHostHeadersAreLocalhostAndLoopbackLiterals() {
        for (String host : new String[] {"127.0.0.1:8778", "127.0.0.1", "localhost:8778", "LOCALHOST", "[::1]:8778", "127.1.2.3"}) {
            assertTrue(HostHeader.namesLoopback(host), host);
        }
    }

    @Test
    void dnsNamesAndOtherAddressesAreNotLoopbackHosts() {
        for (String host : new String[] {"evil.example:8778", "localhost.evil.example", "10.0.0.1:8778", "[::2]", "[::1", "",
                "127.0.0.1:8778@evil.example", "evil@127.0.0.1", "127.0.0.1:8778 evil", "127.0.0.1:99999",
                "127.0.0.1:80:80", "127.0.0.1\u2028", "[127.0.0.1]"}) {
            assertFalse(HostHeader.namesLoopback(host), host);
        }
    }

    @Test
    void aSecondHostHeaderIsRefusedEvenWhenTheFirstIsLoopback() {
        Headers h = new Headers();
        h.add("Host", "127.0.0.1:8778");
        assertEquals(Optional.empty(), HostHeader.refusal(h));
        h.add("Host", "evil.example");
        assertTrue(HostHeader.refusal(h).orElse("").contains("more than one Host"), String.valueOf(HostHeader.refusal(h)));
    }

    @Test
    void jsonpIsRecognisedHoweverTheCallbackNameIsEncoded() {
        for (String raw : new String[] {"callback=f", "maxDepth=2&callback=f", "%63allback=x", "callback%3Dx",
                "%2563allback=x", "CALLBACK=x", "c%61llback", "%25zz=1"}) {
            assertTrue(RequestFilter.asksForJsonp(URI.create("http://h/jolokia/?" + raw).getQuery()), raw);
        }
        assertFalse(RequestFilter.asksForJsonp("mycallback=f"));
        assertFalse(RequestFilter.asksForJsonp("maxDepth=2&ignoreErrors=true"));
        assertFalse(RequestFilter.asksForJsonp(null));
    }
}
