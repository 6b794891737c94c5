package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RequestFilterTest {

    @Test
    void loopbackHostHeadersAreLocalhostAndLoopbackLiterals() {
        for (String host : new String[] {"127.0.0.1:8778", "127.0.0.1", "localhost:8778", "LOCALHOST", "[::1]:8778", "127.1.2.3"}) {
            assertTrue(RequestFilter.namesLoopback(host), host);
        }
    }

    @Test
    void dnsNamesAndOtherAddressesAreNotLoopbackHosts() {
        for (String host : new String[] {"evil.example:8778", "localhost.evil.example", "10.0.0.1:8778", "[::2]", "[::1", ""}) {
            assertFalse(RequestFilter.namesLoopback(host), host);
        }
    }

    @Test
    void jsonpIsRecognisedOnlyAsTheCallbackParameter() {
        assertTrue(RequestFilter.asksForJsonp("callback=f"));
        assertTrue(RequestFilter.asksForJsonp("maxDepth=2&callback=f"));
        assertFalse(RequestFilter.asksForJsonp("mycallback=f"));
        assertFalse(RequestFilter.asksForJsonp(null));
    }
}
