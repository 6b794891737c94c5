package io.iocagent.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The help texts: the global usage (the seed's, with the same commands, options and examples),
 * each command's own ({@link Verb#help}), and the one hint line that follows a usage error
 * instead of the whole usage.
 */
final class Usage {

    /** Column where an option's meaning starts, and the width help lines are wrapped to. */
    private static final int MEANING_COLUMN = 19;
    private static final int WIDTH = 100;

    private Usage() {
    }

    /**
     * The hint after a usage error: that command's own help when the line names a command, else
     * the global help; with the closest known word when {@code wrong} looks like a typo of one.
     */
    static String hint(String program, Optional<Verb> verb, String wrong, Collection<String> known) {
        String help = verb.map(v -> "'" + program + " " + v.word() + " --help'").orElse("'" + program + " --help'");
        return closest(wrong, known)
                .map(word -> "  -> Did you mean '" + word + "'? Try " + help + ".")
                .orElse("  -> Try " + help + (verb.isPresent() ? " for its options." : " for the commands and options."));
    }

    /** {@code text} with every control character shown as {@code ?}: a typed word must not drive the terminal. */
    static String printable(String text) {
        return text.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    /** The one word of {@code known} within two edits of {@code wrong} (and closer than any other). */
    static Optional<String> closest(String wrong, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        boolean tie = false;
        for (String word : known) {
            int d = distance(wrong, word);
            if (d < bestDistance) {
                best = word;
                bestDistance = d;
                tie = false;
            } else if (d == bestDistance) {
                tie = true;
            }
        }
        return tie || best == null || wrong.length() < 2 ? Optional.empty() : Optional.of(best);
    }

    /** Levenshtein distance, bounded: words longer than 64 characters are never close. */
    private static int distance(String a, String b) {
        if (a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** An option and its meaning as help lines, the meaning wrapped under itself. */
    static List<String> option(String usage, String meaning) {
        List<String> lines = new ArrayList<>();
        String head = "  " + usage;
        StringBuilder line = new StringBuilder();
        if (head.length() < MEANING_COLUMN) {
            line.append(head).append(" ".repeat(MEANING_COLUMN - head.length()));
        } else {
            lines.add(head);
            line.append(" ".repeat(MEANING_COLUMN));
        }
        for (String word : meaning.split(" ")) {
            if (line.length() + word.length() > WIDTH && line.length() > MEANING_COLUMN) {
                lines.add(line.toString().stripTrailing());
                line.setLength(0);
                line.append(" ".repeat(MEANING_COLUMN));
            }
            line.append(word).append(' ');
        }
        lines.add(line.toString().stripTrailing());
        return lines;
    }

    static String text(String program) {
        return """
                EPICS IOC Runner - CLI Manager (epics-ioc-agent)

                Usage: %1$s [OPTIONS] COMMAND [TARGET]

                Options:
                  --local        Run in local user mode (no sudo required, uses ~/.config/procServ.d). Alias: --user
                  -f, --force    Force overwrite without prompting: the configuration file and,
                                 in local mode, a differing shared systemd template or logrotate unit
                  -v, -vv        Verbose output (supported only for 'list' command)
                  --json         Machine-readable output (list: every IOC with sockets and console clients)
                  -V, --version  Show version, build date and Java runtime
                  -h, --help     Show this help message and exit

                Commands:
                  generate       Auto-generate and validate a .conf file from an iocBoot directory
                  install        Install a new IOC configuration file (.conf) and reload systemd
                  remove         Stop, disable, and remove an existing IOC configuration
                  start          Start the specified IOC service
                  stop           Stop the specified IOC service
                  restart        Restart the specified IOC service
                  status         Show the state of the IOC service and the end of its procServ log
                  enable         Enable the IOC service to start on boot
                  disable        Disable the IOC service from starting on boot
                  view           Print the IOC configuration file and the rendered systemd unit
                  list           List all IOCs, installed or running, stopped ones too
                                   (default: name, status, start time, path)
                                   (-v: adds PID, CPU, memory)
                                   (-vv: adds Recv-Q, Send-Q, kernel state, inode, permissions)
                  which          Name the IOC of this host that serves a PV (Channel Access; --json for scripts)
                  attach         Attach to the IOC console via UNIX Domain Socket (read/write; Ctrl-A detaches)
                  monitor        Attach to the IOC console in read-only mode (prevents input interleaving)
                  inspect        Deep trace of socket file descriptors and client PIDs (root in system mode)
                  agent          Run the JMX agent in the foreground: one MXBean per IOC, Jolokia HTTP
                                 (127.0.0.1:8778) and Prometheus /metrics (127.0.0.1:9464).
                                 Settings: --config FILE and --key=value (deploy/agent/agent.properties)
                  credential     Print a credentials-file line USER:ROLE:hash for the agent (target USER:ROLE
                                 or USER ROLE, ROLE viewer or operator); the password is read without echo,
                                 or from stdin

                Environment:
                  IOC_RUNNER_CONF_DIR, IOC_RUNNER_SYSTEMD_DIR, IOC_RUNNER_RUN_DIR, IOC_RUNNER_LOG_DIR
                                 Override a directory in both modes (or use the IOC_RUNNER_SYSTEM_*
                                 and IOC_RUNNER_LOCAL_* forms for one mode)
                  IOC_RUNNER_SYSTEM_USER, IOC_RUNNER_SYSTEM_GROUP
                                 Service account of system-mode IOCs (default ioc-srv:ioc)
                  IOC_RUNNER_UNIT_TEMPLATE
                                 Unit template prefix (default epics-@: units epics-@NAME.service)
                  IOC_RUNNER_PROCSERV_TOOL
                                 procServ executable baked into the local unit template

                Each command's own options and an example: %1$s COMMAND --help

                Exit status: 0 on success, 1 on any error or declined prompt; 'status' exits 3
                when the IOC is not active; 'which' exits 4 when no IOC serves the PV.

                Examples:
                  %1$s generate /path/to/iocBoot # Auto-generate myioc.conf inside that directory
                  %1$s install myioc.conf        # Install system-wide IOC
                  %1$s start myioc               # Start the system-wide IOC
                  %1$s status myioc              # State, PID and the last log lines
                  %1$s attach myioc              # Connect to the IOC console (read/write)
                  %1$s monitor myioc             # Connect to the IOC console (read-only)
                  sudo %1$s inspect myioc        # Trace active clients on the IOC socket
                  %1$s list -v                   # List with PID, CPU, memory
                  %1$s list --json               # Everything, for scripts
                  %1$s which IOC:temperature     # Which IOC serves this PV
                  %1$s --local install t.conf    # Install IOC in local user space
                  %1$s --local start t           # Start it under your user manager
                  %1$s credential olivia:operator >> /etc/ioc-agent/credentials   # Add an agent user
                """.formatted(program);
    }
}
