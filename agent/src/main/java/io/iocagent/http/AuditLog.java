package io.iocagent.http;

import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The audit trail of operations (exec and write) requested over a remote surface: one line per
 * event on the java.util.logging logger {@value #LOGGER}, at INFO, so the agent's logging
 * configuration decides where it goes (journal, file). A line reads like
 * <pre>
 * surface=jolokia user=alice role=operator remote=10.0.0.7 action=exec mbean="epics.ioc:name=x,type=Ioc" member=restart detail="[]" outcome=ok message=""
 * </pre>
 * Values with spaces, quotes or {@code =} are quoted; CR and LF are escaped, so one event is always
 * one line whatever a client sends. Thread-safe.
 */
public final class AuditLog {

    public static final String LOGGER = "io.iocagent.audit";

    /** How an operation ended: it ran, the agent refused it, or it ran and failed. */
    public enum Outcome { OK, DENIED, FAILED }

    /**
     * One audited operation.
     *
     * @param surface  "jolokia" (or "jmx")
     * @param user     who, "anonymous" when no credentials were sent
     * @param role     "viewer" or "operator"
     * @param remote   client IP address
     * @param action   "exec" or "write"
     * @param mbean    the target ObjectName, canonical (keys sorted)
     * @param member   operation or attribute name
     * @param detail   arguments (exec) or value (write), empty when unknown
     * @param outcome  what happened
     * @param message  why it was refused, the error, or a short form of the result
     */
    public record Event(String surface, String user, String role, String remote, String action, String mbean,
                        String member, String detail, Outcome outcome, String message) {
    }

    private static final int MAX_VALUE = 512;

    private final Logger logger = Logger.getLogger(LOGGER);

    public void record(Event e) {
        logger.log(Level.INFO, format(e));
    }

    static String format(Event e) {
        StringBuilder b = new StringBuilder(160);
        field(b, "surface", e.surface());
        field(b, "user", e.user());
        field(b, "role", e.role());
        field(b, "remote", e.remote());
        field(b, "action", e.action());
        field(b, "mbean", e.mbean());
        field(b, "member", e.member());
        field(b, "detail", e.detail());
        field(b, "outcome", e.outcome().name().toLowerCase(Locale.ROOT));
        field(b, "message", e.message());
        return b.toString();
    }

    private static void field(StringBuilder b, String key, String value) {
        if (b.length() > 0) {
            b.append(' ');
        }
        String v = value == null ? "" : value;
        if (v.length() > MAX_VALUE) {
            v = v.substring(0, MAX_VALUE) + "...";
        }
        b.append(key).append('=');
        boolean quote = v.isEmpty() || v.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c == '\\' || c < 0x20);
        if (!quote) {
            b.append(v);
            return;
        }
        b.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
