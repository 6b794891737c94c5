package io.iocagent.ops;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail of operations that change something, from every surface — the command line,
 * JMX (local attach and the remote connector) and Jolokia: one line per event on the
 * logger {@value #LOGGER}, at INFO, so the process's logging configuration
 * decides where it goes (the agent: its log and {@code audit.log}; the command line: syslog).
 * A line reads like
 * <pre>
 * surface=jolokia user=alice role=operator remote=10.0.0.7 action=exec ioc=x mbean="epics.ioc:name=x,type=Ioc" member=restart detail="[]" outcome=ok message=""
 * </pre>
 * A value that is not a plain printable-ASCII token is quoted, and inside quotes every character
 * that could end or disguise a line is escaped ({@code \n}, {@code \\u} and four hex digits: C0 and C1 controls,
 * DEL, U+0085, U+2028, U+2029, bidirectional overrides, BOM), so one event is always one line
 * whatever a client sends. Array arguments are shown as their contents. The audit file adds an
 * ISO-8601 time with zone in front of each line.
 *
 * <p><b>Who writes the line</b> is the caller's business, not this class's: each surface passes
 * the event with its caller filled in (the JMX surface decides which of its doors writes, see
 * {@code io.iocagent.jmx.SurfaceAudit}). Thread-safe.
 */
public final class AuditLog {

    public static final String LOGGER = "io.iocagent.audit";

    /**
     * What the line records: an operation that begins ({@code STARTED}, written before it runs, so
     * an agent killed during it still leaves a record), or how it ended: it ran, the agent refused
     * it (then nothing began), or it ran and failed.
     */
    public enum Outcome { STARTED, OK, DENIED, FAILED }

    /**
     * One audited operation.
     *
     * @param surface  "jolokia", "jmx" or "cli"
     * @param user     who: the authenticated user, "anonymous" when no credentials were sent,
     *                 "local" for a local JMX attach, the login name on the command line
     * @param role     "viewer" or "operator" ("" on the command line: the OS decides)
     * @param remote   client address, "local" for local callers
     * @param action   "exec" or "write"
     * @param ioc      the IOC concerned, "" when none or unknown (an install by path)
     * @param mbean    the target ObjectName, canonical (keys sorted); "" on the command line
     * @param member   operation or attribute name (the command on the command line)
     * @param detail   arguments (exec) or value (write), empty when unknown
     * @param outcome  what happened
     * @param message  why it was refused, the error, or a short form of the result
     */
    public record Event(String surface, String user, String role, String remote, String action, String ioc,
                        String mbean, String member, String detail, Outcome outcome, String message) {
    }

    private static final int MAX_VALUE = 512;

    private final Logger logger = LoggerFactory.getLogger(LOGGER);

    /** Ends {@link #digestRefusals}; never throws. */
    public interface Digest extends AutoCloseable {
        @Override
        void close();
    }

    /** Set while refusals are digested ({@link #digestRefusals}); null: every refusal is its own line. */
    private static volatile RefusalDigest digest; // written under AuditLog.class
    private static int digestUsers; // guarded by AuditLog.class

    public void record(Event e) {
        RefusalDigest d = digest;
        if (d != null && e.outcome() == Outcome.DENIED) {
            d.offer(e);
            return;
        }
        logger.info(format(e));
    }

    /**
     * From now on, refusals ({@link Outcome#DENIED}) of one caller for one member of one MBean are
     * written at most once per {@code interval}, the line after the first carrying
     * {@code count=N} for the refusals it stands for ({@link RefusalDigest}). The digest is one per
     * process (every surface writes to the one logger): a second call while it is on shares it,
     * keeping the first interval; closing the last handle writes what is still counted and goes
     * back to one line per refusal. The agent turns it on with its {@code audit.refusals.interval}
     * setting; the command line does not (one command, one line).
     */
    public static synchronized Digest digestRefusals(Duration interval) {
        if (digest == null) {
            Logger out = LoggerFactory.getLogger(LOGGER);
            digest = new RefusalDigest(interval, out::info);
        }
        digestUsers++;
        boolean[] closed = {false};
        return () -> {
            RefusalDigest last = null;
            synchronized (AuditLog.class) {
                if (closed[0]) {
                    return;
                }
                closed[0] = true;
                if (--digestUsers == 0) {
                    last = digest;
                    digest = null;
                }
            }
            if (last != null) {
                last.close();
            }
        };
    }

    public static String format(Event e) {
        StringBuilder b = new StringBuilder(160);
        field(b, "surface", e.surface());
        field(b, "user", e.user());
        field(b, "role", e.role());
        field(b, "remote", e.remote());
        field(b, "action", e.action());
        field(b, "ioc", e.ioc());
        field(b, "mbean", e.mbean());
        field(b, "member", e.member());
        field(b, "detail", e.detail());
        field(b, "outcome", e.outcome().name().toLowerCase(Locale.ROOT));
        field(b, "message", e.message());
        return b.toString();
    }

    /**
     * {@code value} as text for an audit line: arrays (remote JMX passes {@code String[]} and
     * friends) and lists as their contents, nested ones too, instead of {@code [Ljava.lang.String;@…}.
     */
    public static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Object[] array) {
            return java.util.Arrays.deepToString(array);
        }
        if (value.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(value);
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < n; i++) {
                b.append(i == 0 ? "" : ", ").append(java.lang.reflect.Array.get(value, i));
            }
            return b.append(']').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(render(list.get(i)));
            }
            return b.append(']').toString();
        }
        return String.valueOf(value);
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
        boolean quote = v.isEmpty() || v.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f || c == '"' || c == '=' || c == '\\');
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
                    if (mustEscape(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /**
     * Characters that end a line for some reader (C0, DEL, C1 with U+0085 NEL, U+2028, U+2029) or
     * make a line read differently than it is (bidirectional controls, BOM, unpaired surrogates).
     */
    static boolean mustEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029
                || (c >= 0x200e && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0xfeff || Character.isSurrogate(c);
    }
}
