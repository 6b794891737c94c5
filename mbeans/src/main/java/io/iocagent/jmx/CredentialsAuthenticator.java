package io.iocagent.jmx;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXPrincipal;
import javax.security.auth.Subject;

/**
 * Checks a JMX client's {@code String[]{user, password}} against the credentials file and returns
 * a Subject holding the user and the user's role as principals. The role principal's name
 * ({@code @viewer}, {@code @operator}) is what the connector's access file grants
 * ({@code readonly}, {@code readwrite}); user names cannot contain {@code @}, so no user can pass
 * for a role. Without a credentials file (loopback only) every client is an anonymous viewer.
 * Thread-safe.
 */
final class CredentialsAuthenticator implements JMXAuthenticator {

    /** The JDK access file lines matching the role principals. */
    static final String ACCESS_FILE = "@viewer readonly\n@operator readwrite\n";

    private final CredentialsFile credentials; // null: anonymous viewers

    CredentialsAuthenticator(CredentialsFile credentials) {
        this.credentials = credentials;
    }

    static String principal(Role role) {
        return "@" + role.text();
    }

    @Override
    public Subject authenticate(Object given) {
        if (credentials == null) {
            return subject("anonymous", Role.VIEWER);
        }
        if (!(given instanceof String[] pair) || pair.length != 2 || pair[0] == null || pair[1] == null) {
            throw new SecurityException("Authentication required: give a user name and password.");
        }
        char[] password = pair[1].toCharArray();
        try {
            Optional<Role> role = credentials.authenticate(pair[0], password);
            return subject(pair[0], role.orElseThrow(() -> new SecurityException("Invalid user name or password.")));
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static Subject subject(String user, Role role) {
        return new Subject(true, Set.of(new JMXPrincipal(user), new JMXPrincipal(principal(role))), Set.of(), Set.of());
    }
}
