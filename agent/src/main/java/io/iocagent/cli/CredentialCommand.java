package io.iocagent.cli;

import io.iocagent.jmx.Credentials;
import io.iocagent.jmx.Role;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@code ioc-runner credential USER:ROLE}: prints one line for the agent's credentials file,
 * {@code USER:ROLE:pbkdf2-sha256$…}, for a password read without echo (twice) from the terminal,
 * or once from standard input. Writes no file: the administrator appends the line where the
 * agent's configuration points ({@code credentials.file}), so this command needs no privilege.
 */
final class CredentialCommand {

    /** Shorter passwords are refused: the file's hashes are the only thing between a network and exec. */
    static final int MIN_PASSWORD = 8;

    private CredentialCommand() {
    }

    static int run(String target, StdTerminal t) {
        String usage = "  -> Usage: ioc-runner credential USER:ROLE   (ROLE: viewer or operator)";
        int colon = target.indexOf(':');
        if (target.isEmpty() || colon < 0) {
            t.err("Error: credential needs USER:ROLE, for example olivia:operator.");
            t.err(usage);
            return 1;
        }
        String user = target.substring(0, colon);
        Optional<Role> role = Optional.ofNullable(Role.ofText(target.substring(colon + 1)));
        if (role.isEmpty()) {
            t.err("Error: Unknown role '" + target.substring(colon + 1) + "'.");
            t.err(usage);
            return 1;
        }
        Optional<char[]> password = t.secret("Password for " + user + ": ");
        if (password.isEmpty()) {
            t.err("Error: No password given (end of input).");
            t.err("  -> Type it at the prompt, or pipe one line: printf '%s\\n' \"$PW\" | ioc-runner credential " + target);
            return 1;
        }
        char[] pw = password.get();
        try {
            if (pw.length < MIN_PASSWORD) {
                t.err("Error: The password is shorter than " + MIN_PASSWORD + " characters.");
                t.err("  -> Choose a longer one; a passphrase of a few words is easiest to type.");
                return 1;
            }
            if (t.interactive() && System.console() != null) {
                char[] again = t.secret("Again: ").orElse(new char[0]);
                boolean same = Arrays.equals(pw, again);
                Arrays.fill(again, '\0');
                if (!same) {
                    t.err("Error: The two passwords differ; nothing was printed.");
                    t.err("  -> Run the command again.");
                    return 1;
                }
            }
            try {
                t.out(Credentials.line(user, role.get(), pw));
            } catch (IllegalArgumentException e) {
                t.err("Error: Invalid " + e.getMessage());
                t.err(usage);
                return 1;
            }
            return 0;
        } finally {
            Arrays.fill(pw, '\0');
        }
    }
}
