package io.iocagent.cli;

import io.iocagent.agent.SdNotify;
import io.iocagent.conf.IocName;
import io.iocagent.ops.AuditLog;
import io.iocagent.posix.Account;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The command line's audit trail: one {@link AuditLog} line per command that changes something
 * ({@link #AUDITED}), sent to the host's syslog socket ({@code /dev/log}, facility authpriv, tag
 * {@code ioc-runner}) so journald or rsyslog keeps it where users cannot edit it — the same line
 * format the agent writes for JMX and Jolokia. {@code IOC_RUNNER_AUDIT_SOCKET} names another
 * datagram socket. A host without a syslog socket keeps no CLI audit (containers, minimal
 * images); a failed send never fails the command, which has already run.
 */
final class CommandAudit {

    /** Commands that change an IOC, its files or its console. */
    static final Set<String> AUDITED = Set.of("generate", "install", "remove", "start", "stop", "restart", "enable",
            "disable", "attach");

    private static final String DEFAULT_SOCKET = "/dev/log";
    /** authpriv (10) × 8 + notice (5): an audit record, kept where only administrators read it. */
    private static final int PRIORITY = 10 * 8 + 5;

    private final String socket;
    private final Account account;

    private CommandAudit(String socket, Account account) {
        this.socket = socket;
        this.account = account;
    }

    static CommandAudit forEnv(Map<String, String> env, Account account) {
        String socket = env.getOrDefault("IOC_RUNNER_AUDIT_SOCKET", DEFAULT_SOCKET);
        return new CommandAudit(socket, account);
    }

    /**
     * Records {@code command TARGET} if it is audited.
     *
     * @param exitCode the command's exit status: 0 is ok, anything else failed
     * @param message  the error, or "" on success
     */
    void record(String command, String target, int exitCode, String message) {
        if (!AUDITED.contains(command) || !Files.exists(Path.of(socket))) {
            return;
        }
        String ioc = Main.PATH_COMMANDS.contains(command) ? "" : IocName.baseName(target);
        String line = AuditLog.format(new AuditLog.Event("cli", account.user(), "", "local", "exec", ioc, "", command,
                target, exitCode == 0 ? AuditLog.Outcome.OK : AuditLog.Outcome.FAILED,
                exitCode == 0 ? "" : "exit " + exitCode + (message.isEmpty() ? "" : ": " + message)));
        byte[] bytes = ("<" + PRIORITY + ">ioc-runner[" + ProcessHandle.current().pid() + "]: " + line)
                .getBytes(StandardCharsets.UTF_8);
        try {
            SdNotify.datagram(socket, bytes);
        } catch (IOException e) {
            // The command has run; its outcome stands. Nothing listens, or we may not write there.
        }
    }
}
