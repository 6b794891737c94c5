package io.iocagent.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.management.ObjectName;

/**
 * What the agent knows about the Jolokia request being served on this thread: who sent it (set by
 * {@link CallerAuthenticator}), how (method, own origin, allowed origins), and each exec/write it
 * attempted with the decision and result (recorded by {@link RoleRestrictor} and
 * {@link AuditInterceptor}, written out by {@link RequestFilter}).
 *
 * <p>Why a thread-local: Jolokia's {@code Restrictor} API is not told the request or its principal
 * (2.6.0: {@code isOperationAllowed(ObjectName, String)} and friends only). The JDK HttpServer runs
 * a context's filters, its authenticator and its handler on one pool thread, one after another,
 * and Jolokia's handler serves the request synchronously on that thread, so a scope opened by the
 * filter and closed in its {@code finally} is exactly the request's lifetime. Outside a request
 * (no scope) the restrictor refuses every operation.
 *
 * <p>Confined to its thread; not thread-safe.
 */
final class RequestScope {

    private static final ThreadLocal<RequestScope> CURRENT = new ThreadLocal<>();

    /** One exec or write the request asked for. */
    static final class Attempt {
        final String action;
        final ObjectName mbean;
        final String member;
        final String refusal;
        String detail = "";
        List<?> arguments = List.of();
        boolean succeeded;
        String result = "";

        Attempt(String action, ObjectName mbean, String member, String refusal) {
            this.action = action;
            this.mbean = mbean;
            this.member = member;
            this.refusal = refusal;
        }

        boolean allowed() {
            return refusal == null;
        }

        boolean is(String action, ObjectName mbean, String member) {
            return this.action.equals(action) && this.mbean.equals(mbean) && this.member.equals(member);
        }
    }

    private final String method;
    private final String remote;
    private final String ownOrigin;
    private final List<String> allowedOrigins;
    private final List<Attempt> attempts = new ArrayList<>();
    private final NotificationQuota notifications;
    private final String owner;
    private Caller caller;
    private int registered;

    private RequestScope(String method, String remote, String ownOrigin, List<String> allowedOrigins,
                         NotificationQuota notifications, String owner) {
        this.method = method;
        this.remote = remote;
        this.ownOrigin = ownOrigin;
        this.allowedOrigins = allowedOrigins;
        this.notifications = notifications;
        this.owner = owner;
    }

    /**
     * Starts the scope of a request on this thread.
     *
     * @param ownOrigin the endpoint's origin as this request addressed it, null when unknown
     */
    static RequestScope open(String method, String remote, String ownOrigin, List<String> allowedOrigins,
                             NotificationQuota notifications, String owner) {
        RequestScope scope = new RequestScope(method, remote, ownOrigin, allowedOrigins, notifications, owner);
        CURRENT.set(scope);
        return scope;
    }

    static Optional<RequestScope> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    void close() {
        CURRENT.remove();
    }

    String method() {
        return method;
    }

    String remote() {
        return remote;
    }

    /** The notification books of the endpoint. */
    NotificationQuota notifications() {
        return notifications;
    }

    /** Who the notification quota counts this request against. */
    String owner() {
        return owner;
    }

    /** A {@code register} of this request was answered with {@code id}. */
    void registered(String id) {
        registered++;
        notifications.registered(owner, id);
    }

    /** How many registrations of this request were answered. */
    int registered() {
        return registered;
    }

    /** Null until the authenticator has run. */
    Caller caller() {
        return caller;
    }

    void caller(Caller who) {
        this.caller = Objects.requireNonNull(who);
    }

    /**
     * Strict CORS: a browser origin must be the endpoint's own or a configured one. Requests
     * without {@code Origin} and {@code Referer} (command-line and Java clients) pass: browsers
     * always send {@code Origin} on POST, and operations are only accepted by POST.
     *
     * @param originOrReferer what Jolokia extracted: {@code Origin}, else {@code Referer}
     */
    boolean originAllowed(String originOrReferer) {
        if (originOrReferer == null) {
            return true;
        }
        String origin = JolokiaSettings.origin(originOrReferer);
        return origin != null && (origin.equals(ownOrigin) || allowedOrigins.contains(origin));
    }

    /**
     * Records a decision, one attempt per request of a bulk. Jolokia asks again for the same
     * operation only when it tries the next MBeanServer, which happens only after an allowed
     * check whose MBean was not found in the first: so a repeat merges into the last attempt only
     * when that was allowed and has not succeeded. A refused check ends its request (Jolokia
     * throws), and a succeeded one is done: an identical decision after either is the next request
     * of the bulk, its own line.
     *
     * @return true when this is a new attempt (not a repeat for another MBeanServer)
     */
    boolean decided(String action, ObjectName mbean, String member, String refusal) {
        if (!attempts.isEmpty()) {
            Attempt last = attempts.get(attempts.size() - 1);
            if (last.is(action, mbean, member) && last.allowed() && refusal == null && !last.succeeded) {
                return false;
            }
        }
        attempts.add(new Attempt(action, mbean, member, refusal));
        return true;
    }

    /** Marks the oldest allowed, unfinished matching attempt as done; adds one if none matches. */
    void succeeded(String action, ObjectName mbean, String member, List<?> arguments, String detail, String result) {
        Attempt match = attempts.stream()
                .filter(a -> a.allowed() && !a.succeeded && a.is(action, mbean, member))
                .findFirst()
                .orElseGet(() -> {
                    Attempt a = new Attempt(action, mbean, member, null);
                    attempts.add(a);
                    return a;
                });
        match.succeeded = true;
        match.arguments = arguments;
        match.detail = detail;
        match.result = result;
    }

    List<Attempt> attempts() {
        return attempts;
    }
}
