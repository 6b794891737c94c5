package io.iocagent.http;

import com.sun.net.httpserver.Headers;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Host} check of a loopback-only endpoint (Jolokia and {@code /metrics}): a page from
 * another site that re-points its DNS name at 127.0.0.1 (DNS rebinding) reaches the endpoint with
 * {@code Host: its.name}; refusing every name but {@code localhost} and loopback literals stops it.
 *
 * <p>Parsed exactly as RFC 9110 §7.2 / RFC 3986 §3.2.2 define {@code host [ ":" port ]}: a
 * reg-name, an IPv4 literal or a bracketed IPv6 literal, an optional all-digit port, nothing else
 * — so {@code 127.0.0.1:80@evil.example} (userinfo), trailing junk or a second {@code Host}
 * header are refused, not read leniently. A request without {@code Host} (HTTP/1.0) is allowed:
 * browsers always send one. Stateless.
 */
final class HostHeader {

    private static final Pattern FORM = Pattern.compile(
            "(?<name>[a-z0-9.-]{1,253}|\\[(?<v6>[0-9a-f:.]{2,45})\\])(?::(?<port>[0-9]{1,5}))?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private HostHeader() {
    }

    /** Why the request's {@code Host} is refused on a loopback endpoint; empty when it is acceptable. */
    static Optional<String> refusal(Headers headers) {
        List<String> values = headers.get("Host");
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            return Optional.of("more than one Host header.");
        }
        String host = values.get(0);
        return namesLoopback(host) ? Optional.empty()
                : Optional.of("Host '" + printable(host) + "' does not name this loopback-only endpoint.");
    }

    /** True for {@code localhost} and loopback IP literals, with or without a port; nothing else. */
    static boolean namesLoopback(String hostHeader) {
        // Only HTTP's optional whitespace (SP, HTAB) around the value; String.strip() would also
        // drop U+2028 and friends and so accept them.
        Matcher m = FORM.matcher(hostHeader.replaceAll("^[ \t]+|[ \t]+$", "").toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return false;
        }
        if (m.group("port") != null && Integer.parseInt(m.group("port")) > 65535) {
            return false;
        }
        String literal = m.group("v6") != null ? m.group("v6") : m.group("name");
        if (m.group("v6") == null) {
            if (literal.equals("localhost") || literal.equals("localhost.")) {
                return true;
            }
            if (!IPV4.matcher(literal).matches()) {
                return false;   // a DNS name: never resolved here, never trusted
            }
        } else if (!literal.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();   // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The header for a message: at most 100 characters, controls replaced. */
    private static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return cut.replaceAll("[\\p{Cntrl}\\u2028\\u2029]", "?");
    }
}
