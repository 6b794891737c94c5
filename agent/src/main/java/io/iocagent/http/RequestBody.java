package io.iocagent.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jolokia.json.JSONArray;
import org.jolokia.json.parser.JSONParser;
import org.jolokia.json.parser.ParseException;

/**
 * A Jolokia request read before Jolokia sees it, within {@link HttpLimits}: a POST body of at
 * most {@code requestBytes} (refused unread when {@code Content-Length} says more), holding at
 * most {@code bulkMax} requests. The body is handed on to Jolokia as read. Also lists the
 * notification commands it carries, for the {@link NotificationQuota}. A body that is not JSON
 * is passed on for Jolokia to answer with its own error.
 */
final class RequestBody {

    /** A request refused before Jolokia: the HTTP status and why. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final byte[] bytes;
    private final List<Object> requests;
    private final String pathInfo;

    private RequestBody(byte[] bytes, List<Object> requests, String pathInfo) {
        this.bytes = bytes;
        this.requests = requests;
        this.pathInfo = pathInfo;
    }

    static RequestBody read(HttpExchange exchange, HttpLimits limits) throws IOException, Refused {
        String path = exchange.getRequestURI().getPath();
        String pathInfo = path == null ? "" : path.replaceFirst("^/jolokia/?", "");
        if (!"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
            return new RequestBody(null, List.of(), pathInfo);
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.strip().matches("[0-9]{1,18}") && Long.parseLong(length.strip()) > limits.requestBytes()) {
            throw new Refused(413, "request body of " + length.strip() + " bytes; the limit (jolokia.request.max.bytes) is "
                    + limits.requestBytes() + ".");
        }
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(limits.requestBytes() + 1);
        }
        if (bytes.length > limits.requestBytes()) {
            throw new Refused(413, "request body larger than the limit (jolokia.request.max.bytes) of "
                    + limits.requestBytes() + " bytes.");
        }
        List<Object> requests = new ArrayList<>();
        try {
            Object parsed = new JSONParser().parse(new String(bytes, StandardCharsets.UTF_8));
            if (parsed instanceof JSONArray array) {
                if (array.size() > limits.bulkMax()) {
                    throw new Refused(413, "bulk of " + array.size() + " requests; the limit (jolokia.bulk.max) is "
                            + limits.bulkMax() + ". -> Send them in smaller bulks.");
                }
                requests.addAll(array);
            } else {
                requests.add(parsed);
            }
        } catch (ParseException | RuntimeException e) {
            // Not JSON: Jolokia answers that itself.
        }
        return new RequestBody(bytes, requests, pathInfo);
    }

    /** The body for Jolokia: what was read, or null to leave a GET's (empty) stream alone. */
    InputStream stream() {
        return bytes == null ? null : new ByteArrayInputStream(bytes);
    }

    /**
     * Each notification command as {@code [command, client]} (client null when absent), from the
     * JSON body or a GET path {@code notification/COMMAND/CLIENT/…}.
     */
    List<String[]> notificationCommands() {
        List<String[]> out = new ArrayList<>();
        if (bytes == null) {
            String[] parts = pathInfo.split("/");
            if (parts.length >= 2 && parts[0].equals("notification")) {
                out.add(new String[] {parts[1], parts.length >= 3 ? parts[2] : null});
            }
            return out;
        }
        for (Object r : requests) {
            if (r instanceof Map<?, ?> m && "notification".equals(m.get("type"))) {
                Object client = m.get("client");
                out.add(new String[] {String.valueOf(m.get("command")), client == null ? null : client.toString()});
            }
        }
        return out;
    }
}
