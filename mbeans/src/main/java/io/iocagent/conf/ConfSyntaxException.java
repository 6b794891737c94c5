package io.iocagent.conf;

/**
 * A {@code NAME.conf} line that {@link ConfFile} refuses to read, because the shell, systemd's
 * {@code EnvironmentFile=} and this agent would not all agree on what it means. Checked, so that
 * every caller that reads a conf decides what the user sees.
 *
 * <p>The message names the file and the line, e.g.
 * {@code Syntax error detected in /etc/procServ.d/x.conf (line 4: unmatched opening double quote)};
 * it carries no "Error: " prefix.
 */
public final class ConfSyntaxException extends Exception {

    ConfSyntaxException(String display, int line, String reason) {
        super("Syntax error detected in " + display + " (line " + line + ": " + reason + ")");
    }
}
