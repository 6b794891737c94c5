package io.iocagent.http;

import io.iocagent.jmx.Credentials;
import io.iocagent.jmx.CredentialsFile;
import io.iocagent.jmx.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The users of the HTTP tests: {@code olivia} (operator) and {@code victor} (viewer), in a real
 * credentials file ({@code user:role:hash}, owner-only), hashed with the minimum iteration count
 * so the tests stay quick.
 */
final class TestCredentials {

    static final String OPERATOR = "olivia";
    static final String OPERATOR_PASSWORD = "op-secret";
    static final String VIEWER = "victor";
    static final String VIEWER_PASSWORD = "view-secret";

    private TestCredentials() {
    }

    static CredentialsFile load(Path dir) throws IOException {
        Path file = dir.resolve("credentials");
        Files.writeString(file, "# test users\n"
                + line(OPERATOR, Role.OPERATOR, OPERATOR_PASSWORD)
                + line(VIEWER, Role.VIEWER, VIEWER_PASSWORD));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return CredentialsFile.open(file);
    }

    private static String line(String user, Role role, String password) {
        return user + ":" + role.text() + ":" + Credentials.hash(password.toCharArray(), Credentials.MIN_ITERATIONS) + "\n";
    }
}
