package io.iocagent.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.iocagent.jmx.SurfaceAudit;
import io.iocagent.ops.AuditLog;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
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

    private final String scheme;
    private final boolean loopback;
    private final List<String> allowedOrigins;
    private final AuditLog audit;
    private final HttpLimits limits;
    private final NotificationQuota notifications;
    private final AuditInterceptor backend;
    private final Semaphore running;

    RequestFilter(boolean tls, boolean loopback, List<String> allowedOrigins, AuditLog audit, HttpLimits limits,
                  AuditInterceptor backend) {
        this.scheme = tls ? "https" : "http";
        this.loopback = loopback;
        this.allowedOrigins = List.copyOf(allowedOrigins);
        this.audit = audit;
        this.limits = limits;
        this.notifications = new NotificationQuota(limits, Clock.systemUTC());
        this.backend = backend;
        this.running = new Semaphore(limits.jolokiaConcurrency(), true);
    }

    @Override
    public String description() {
        return "ioc-agent request scope, guards and audit";
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        if (asksForJsonp(exchange.getRequestURI().getQuery())) {
            refuse(exchange, 403, "JSONP (the callback parameter) is disabled on this agent.");
            return;
        }
        if (loopback) {
            Optional<String> badHost = HostHeader.refusal(exchange.getRequestHeaders());
            if (badHost.isPresent()) {
                refuse(exchange, 403, badHost.get());
                return;
            }
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        if ("OPTIONS".equalsIgnoreCase(exchange.getRequestMethod())) {
            preflight(exchange, host == null ? null : JolokiaSettings.origin(scheme + "://" + host));
            return;
        }
        RequestBody body;
        try {
            body = RequestBody.read(exchange, limits);
        } catch (RequestBody.Refused e) {
            exchange.getRequestBody().close();
            refuse(exchange, e.status, e.getMessage());
            return;
        }
        String remote = exchange.getRemoteAddress().getAddress().getHostAddress();
        String owner = CallerAuthenticator.claimedUser(exchange.getRequestHeaders().getFirst("Authorization"))
                .map(u -> "user " + u).orElse("anonymous@" + remote);
        List<String[]> commands = body.notificationCommands();
        int reserved = (int) commands.stream().filter(c -> "register".equals(c[0])).count();
        if (!commands.isEmpty()) {
            Optional<String> full = notifications.admit(owner, commands, backend::unregister);
            if (full.isPresent()) {
                refuse(exchange, 429, full.get());
                return;
            }
        }
        String ownOrigin = host == null ? null : JolokiaSettings.origin(scheme + "://" + host);
        RequestScope scope = RequestScope.open(exchange.getRequestMethod(), remote, ownOrigin, allowedOrigins,
                notifications, owner);
        Capture capture = new Capture(exchange.getResponseBody(), limits.responseBytes(),
                answered -> auditAttempts(scope, answered));
        exchange.setStreams(body.stream(), capture);
        boolean admitted = false;
        try (SurfaceAudit.Mark audited = SurfaceAudit.begin()) {
            running.acquire();
            admitted = true;
            chain.doFilter(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (admitted) {
                running.release();
            }
            notifications.abandon(owner, reserved - scope.registered());
            scope.close();
            capture.complete();
        }
    }

    /** Request headers a browser may ask to send: names only, as the Fetch standard writes them. */
    private static final java.util.regex.Pattern HEADER_LIST = java.util.regex.Pattern.compile("[A-Za-z0-9-]+(\\s*,\\s*[A-Za-z0-9-]+)*");

    /**
     * A CORS preflight ({@code OPTIONS}), answered here: Jolokia 2.6.0's JVM agent sends its CORS
     * headers with status 500 ("no JSON response"), which browsers take as a failed preflight, so
     * a console such as Hawtio could not send credentials from its origin. An allowed origin (the
     * endpoint's own or a configured one) gets 200 with the grant, for credentials, GET and POST;
     * another gets 403 without one. Nothing reaches Jolokia.
     */
    private void preflight(HttpExchange exchange, String ownOrigin) throws IOException {
        exchange.getRequestBody().close();
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        var headers = exchange.getResponseHeaders();
        headers.set("Allow", "GET, POST, OPTIONS");
        if (origin != null) {
            String normalized = JolokiaSettings.origin(origin);
            if (normalized == null || !(normalized.equals(ownOrigin) || allowedOrigins.contains(normalized))) {
                refuse(exchange, 403, "Origin " + origin + " is not allowed; list it in jolokia.cors.origins.");
                return;
            }
            headers.set("Access-Control-Allow-Origin", origin);
            headers.set("Access-Control-Allow-Credentials", "true");
            headers.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            String asked = exchange.getRequestHeaders().getFirst("Access-Control-Request-Headers");
            if (asked != null && HEADER_LIST.matcher(asked.trim()).matches()) {
                headers.set("Access-Control-Allow-Headers", asked.trim());
            }
            headers.set("Access-Control-Max-Age", "3600");
            headers.set("Vary", "Origin");
        }
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
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
                    SurfaceAudit.iocOf(a.mbean, arguments), a.mbean.getCanonicalName(), a.member, detail, outcome, message));
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

    /**
     * True when Jolokia would see a {@code callback} parameter in this query. Parsed the way
     * Jolokia 2.6 parses it ({@code ParsedUri}): the URI's decoded query, split at {@code &},
     * each name URL-decoded once more; so {@code %63allback=x}, {@code callback%3Dx} and
     * {@code %2563allback=x} all count. A name that does not decode is treated as one, too.
     *
     * @param query the decoded query ({@link java.net.URI#getQuery()}), or null
     */
    static boolean asksForJsonp(String query) {
        if (query == null) {
            return false;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String decoded;
            try {
                decoded = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return true;
            }
            if (decoded.strip().equalsIgnoreCase("callback") || name.strip().equalsIgnoreCase("callback")) {
                return true;
            }
        }
        return false;
    }

    /** Answers {@code status} with a one-line plain-text reason and ends the exchange. */
    static void refuse(HttpExchange exchange, int status, String why) throws IOException {
        String reason = switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 413 -> "Payload Too Large";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
        byte[] body = (status + " " + reason + ": " + why + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("Connection", "close");
        exchange.sendResponseHeaders(status, body.length);
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
        private final long maxBytes;
        private long written;
        private boolean truncated;
        private boolean completed;

        Capture(OutputStream out, long maxBytes, Consumer<Capture> onComplete) {
            super(out);
            this.maxBytes = maxBytes;
            this.onComplete = onComplete;
        }

        /** Past {@code jolokia.response.max.bytes} the response is cut: the connection is closed. */
        private void count(int len) throws IOException {
            written += len;
            if (written > maxBytes) {
                throw new IOException("response larger than jolokia.response.max.bytes (" + maxBytes
                        + " bytes); connection closed. -> Ask for less (a narrower pattern, maxDepth, maxObjects).");
            }
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
            count(1);
            out.write(b);
            keep(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count(len);
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
