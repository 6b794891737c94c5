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
import java.util.logging.Logger;

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
    private static final Logger LOG = Logger.getLogger(CallerAuthenticator.class.getName());

    private final CredentialsFile credentials;
    private final boolean anonymousAllowed;

    /**
     * @param credentials      the users, or null when none are configured
     * @param anonymousAllowed true only on a loopback-only endpoint
     */
    CallerAuthenticator(CredentialsFile credentials, boolean anonymousAllowed) {
        this.credentials = credentials;
        this.anonymousAllowed = anonymousAllowed;
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
        Optional<Caller> caller = check(header);
        if (caller.isEmpty()) {
            LOG.info(() -> "Rejected credentials from " + exchange.getRemoteAddress().getAddress().getHostAddress()
                    + " on " + exchange.getRequestURI().getRawPath());
            return challenge(exchange);
        }
        return admit(caller.get());
    }

    private Optional<Caller> check(String header) {
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
                Optional<Role> role = credentials.authenticate(user, password);
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
