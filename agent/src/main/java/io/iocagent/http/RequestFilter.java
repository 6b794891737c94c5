package io.iocagent.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.iocagent.ops.AuditLog;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.jolokia.json.JSONArray;
import org.jolokia.json.JSONObject;
import org.jolokia.json.parser.JSONParser;
import org.jolokia.json.parser.ParseException;

/**
 * Wraps every request to a Jolokia context: refuses what no legitimate client needs, opens the
 * thread's {@link RequestScope} for the authenticator and restrictor, and after Jolokia answered
 * writes one {@link AuditLog} line per exec/write the request attempted.
 *
 * <p>Refused up front (HTTP 403, plain text): JSONP ({@code callback=}), which would let any web
 * page read MBeans through a {@code <script>} tag without CORS; and, on a loopback endpoint, a
 * {@code Host} header that does not name a loopback address or {@code localhost}, which is what a
 * DNS-rebinding page would send.
 *
 * <p>The response is copied (first {@value #CAPTURE_LIMIT} bytes) only to take the error message
 * and arguments of failed or refused operations from Jolokia's JSON answer. The audit lines are
 * written when Jolokia closes the response body, normally before the client has all of it.
 * Thread-safe: all state is per exchange.
 */
final class RequestFilter extends Filter {

    static final int CAPTURE_LIMIT = 64 * 1024;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final String scheme;
    private final boolean loopback;
    private final List<String> allowedOrigins;
    private final AuditLog audit;

    RequestFilter(boolean tls, boolean loopback, List<String> allowedOrigins, AuditLog audit) {
        this.scheme = tls ? "https" : "http";
        this.loopback = loopback;
        this.allowedOrigins = List.copyOf(allowedOrigins);
        this.audit = audit;
    }

    @Override
    public String description() {
        return "ioc-agent request scope, guards and audit";
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        if (asksForJsonp(exchange.getRequestURI().getRawQuery())) {
            refuse(exchange, "JSONP (the callback parameter) is disabled on this agent.");
            return;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (loopback && host != null && !namesLoopback(host)) {
            refuse(exchange, "Host '" + host + "' does not name this loopback-only endpoint.");
            return;
        }
        String ownOrigin = host == null ? null : JolokiaSettings.origin(scheme + "://" + host);
        RequestScope scope = RequestScope.open(exchange.getRequestMethod(),
                exchange.getRemoteAddress().getAddress().getHostAddress(), ownOrigin, allowedOrigins);
        Capture capture = new Capture(exchange.getResponseBody(), answered -> auditAttempts(scope, answered));
        exchange.setStreams(null, capture);
        try (AuditLog.Mark audited = AuditLog.surfaceAudits()) {
            chain.doFilter(exchange);
        } finally {
            scope.close();
            capture.complete();
        }
    }

    private void auditAttempts(RequestScope scope, Capture answered) {
        if (scope.attempts().isEmpty()) {
            return;
        }
        List<JSONObject> answers = scope.attempts().stream().allMatch(a -> a.succeeded) ? List.of() : answered.answers();
        Caller caller = scope.caller() == null ? Caller.anonymous() : scope.caller();
        for (RequestScope.Attempt a : scope.attempts()) {
            AuditLog.Outcome outcome;
            String detail = a.detail;
            List<?> arguments = a.arguments;
            String message;
            if (a.succeeded) {
                outcome = AuditLog.Outcome.OK;
                message = a.result;
            } else {
                JSONObject answer = takeAnswer(answers, a);
                outcome = a.allowed() ? AuditLog.Outcome.FAILED : AuditLog.Outcome.DENIED;
                message = a.allowed()
                        ? (answer == null ? "no result (see the client's response)" : String.valueOf(answer.get("error")))
                        : a.refusal;
                if (answer != null && answer.get("request") instanceof Map<?, ?> echo) {
                    Object d = "exec".equals(a.action) ? echo.get("arguments") : echo.get("value");
                    detail = d == null ? "" : String.valueOf(d);
                    if (d instanceof List<?> list) {
                        arguments = list;
                    }
                }
            }
            audit.record(new AuditLog.Event("jolokia", caller.name(), caller.roleName(), scope.remote(), a.action,
                    AuditLog.iocOf(a.mbean, arguments), a.mbean.getCanonicalName(), a.member, detail, outcome, message));
        }
    }

    /** The first unclaimed error answer whose echoed request is this attempt; removes it. */
    private static JSONObject takeAnswer(List<JSONObject> answers, RequestScope.Attempt a) {
        for (int i = 0; i < answers.size(); i++) {
            JSONObject answer = answers.get(i);
            if (answer.get("request") instanceof Map<?, ?> echo
                    && !(answer.get("status") instanceof Number status && status.intValue() == 200)
                    && a.action.equals(echo.get("type"))
                    && a.member.equals(echo.get("exec".equals(a.action) ? "operation" : "attribute"))
                    && a.mbean.equals(objectName(echo.get("mbean")))) {
                answers.remove(i);
                return answer;
            }
        }
        return null;
    }

    private static ObjectName objectName(Object text) {
        try {
            return text == null ? null : new ObjectName(text.toString());
        } catch (MalformedObjectNameException e) {
            return null;
        }
    }

    static boolean asksForJsonp(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.equals("callback") || pair.startsWith("callback=")) {
                return true;
            }
        }
        return false;
    }

    /** True for {@code localhost} and loopback IP literals, with or without a port. */
    static boolean namesLoopback(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        String name;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0) {
                return false;
            }
            name = h.substring(1, end);
        } else {
            int colon = h.indexOf(':');
            name = colon < 0 ? h : h.substring(0, colon);
        }
        if (name.equals("localhost")) {
            return true;
        }
        if (!IPV4.matcher(name).matches() && !(h.startsWith("[") && name.contains(":"))) {
            return false;   // a DNS name: never resolved here, never trusted
        }
        try {
            return InetAddress.getByName(name).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void refuse(HttpExchange exchange, String why) throws IOException {
        byte[] body = ("403 Forbidden: " + why + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(403, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * Passes the response through, keeping a copy of its beginning, and calls {@code onComplete}
     * once: when Jolokia closes the body (before the last buffered bytes reach
     * the client, so the audit line is normally written first), or at the end of the filter.
     */
    private static final class Capture extends FilterOutputStream {
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
        private final Consumer<Capture> onComplete;
        private boolean truncated;
        private boolean completed;

        Capture(OutputStream out, Consumer<Capture> onComplete) {
            super(out);
            this.onComplete = onComplete;
        }

        void complete() {
            if (!completed) {
                completed = true;
                onComplete.accept(this);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                complete();
            } finally {
                super.close();
            }
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            keep(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            keep(b, off, len);
        }

        private void keep(byte[] b, int off, int len) {
            int room = CAPTURE_LIMIT - copy.size();
            if (len > room) {
                truncated = true;
            }
            copy.write(b, off, Math.max(0, Math.min(room, len)));
        }

        /** Jolokia's answers (one, or one per bulk request); empty when not JSON or cut short. */
        List<JSONObject> answers() {
            List<JSONObject> out = new ArrayList<>();
            if (truncated || copy.size() == 0) {
                return out;
            }
            try {
                Object parsed = new JSONParser().parse(copy.toString(StandardCharsets.UTF_8));
                if (parsed instanceof JSONObject o) {
                    out.add(o);
                } else if (parsed instanceof JSONArray array) {
                    array.stream().filter(JSONObject.class::isInstance).map(JSONObject.class::cast).forEach(out::add);
                }
            } catch (ParseException | IOException | RuntimeException e) {
                // Not a JSON answer (e.g. a 401 page): the audit line then says "no result".
            }
            return out;
        }
    }
}
