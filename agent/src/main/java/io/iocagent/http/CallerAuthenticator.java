package io.iocagent.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.iocagent.jmx.CredentialsFile;
import io.iocagent.jmx.Role;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import io.iocagent.ops.AuditLog;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic authentication against the agent's {@link CredentialsFile}, deciding the request's
 * {@link Caller}: an authenticated user gets their role; a request without credentials is the
 * anonymous viewer when the endpoint listens on loopback only, and is challenged (401) otherwise.
 * Wrong credentials are always challenged, never downgraded to anonymous.
 *
 * <p>Clients must send credentials pre-emptively to act as operator on a loopback endpoint, since
 * an anonymous request is admitted instead of challenged (curl {@code -u}, Hawtio and the Jolokia
 * Java client do).
 *
 * <p>Runs after {@link RequestFilter} opened the {@link RequestScope} and before Jolokia's
 * handler, on the same thread. Thread-safe (stateless apart from the immutable credentials).
 */
final class CallerAuthenticator extends Authenticator {

    static final String REALM = "ioc-agent";
    private static final Logger LOG = LoggerFactory.getLogger(CallerAuthenticator.class);

    private final CredentialsFile credentials;
    private final boolean anonymousAllowed;
    private final LoginThrottle throttle;
    private final AuditLog audit;

    /**
     * @param credentials      the users, or null when none are configured
     * @param anonymousAllowed true only on a loopback-only endpoint
     * @param limits           the login back-off and hashing bounds
     * @param audit            where failed logins are recorded
     */
    CallerAuthenticator(CredentialsFile credentials, boolean anonymousAllowed, HttpLimits limits, AuditLog audit) {
        this.credentials = credentials;
        this.anonymousAllowed = anonymousAllowed;
        this.throttle = new LoginThrottle(limits, Clock.systemUTC());
        this.audit = audit;
    }

    /** The user name a Basic Authorization header claims (unverified), for quota books only. */
    static Optional<String> claimedUser(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String text = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            return colon <= 0 ? Optional.empty() : Optional.of(text.substring(0, Math.min(colon, 64)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            // A CORS preflight never carries credentials; it runs nothing, so let it through.
            if (anonymousAllowed || "OPTIONS".equalsIgnoreCase(exchange.getRequestMethod())) {
                return admit(Caller.anonymous());
            }
            return challenge(exchange);
        }
        String address = exchange.getRemoteAddress().getAddress().getHostAddress();
        LoginThrottle.Verdict verdict = throttle.attempt(address, () -> check(header, true), () -> check(header, false));
        if (verdict.throttled()) {
            exchange.getResponseHeaders().set("Retry-After", Long.toString(Math.max(1, verdict.retryAfter().toSeconds())));
            return new Retry(429);
        }
        if (verdict.caller().isEmpty()) {
            LOG.info("Rejected credentials from {} on {}", address, exchange.getRequestURI().getRawPath());
            if (verdict.audit()) {
                audit.record(new AuditLog.Event("jolokia", claimedUser(header).orElse(""), "", address, "login", "", "",
                        "", "", AuditLog.Outcome.DENIED, "wrong user name or password"
                        + (verdict.suppressed() > 0 ? "; " + verdict.suppressed()
                        + " further attempts from this address were refused unchecked during back-off" : "")));
            }
            return challenge(exchange);
        }
        return admit(verdict.caller().get());
    }

    private Optional<Caller> check(String header, boolean rememberedOnly) {
        if (credentials == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(header.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        char[] text = null;
        try {
            text = utf8(decoded);
            int colon = indexOf(text, ':');
            if (colon < 0) {
                return Optional.empty();
            }
            String user = new String(text, 0, colon);
            char[] password = Arrays.copyOfRange(text, colon + 1, text.length);
            try {
                Optional<Role> role = rememberedOnly ? credentials.remembered(user, password)
                        : credentials.authenticate(user, password);
                return role.map(r -> new Caller(user, r));
            } finally {
                Arrays.fill(password, '\0');
            }
        } catch (CharacterCodingException e) {
            return Optional.empty();
        } finally {
            Arrays.fill(decoded, (byte) 0);
            if (text != null) {
                Arrays.fill(text, '\0');
            }
        }
    }

    private static char[] utf8(byte[] bytes) throws CharacterCodingException {
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
        char[] out = new char[chars.remaining()];
        chars.get(out);
        Arrays.fill(chars.array(), '\0');
        return out;
    }

    private static int indexOf(char[] text, char c) {
        for (int i = 0; i < text.length; i++) {
            if (text[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static Result admit(Caller caller) {
        RequestScope.current().ifPresent(s -> s.caller(caller));
        return new Success(new HttpPrincipal(caller.name(), REALM));
    }

    private static Result challenge(HttpExchange exchange) {
        // RFC 7617: the charset parameter announces that user and password are read as UTF-8.
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        return new Retry(401);
    }
}
