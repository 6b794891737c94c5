package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** Guards and verbs that need no systemd: grammar, name rules, layout checks, generate. */
class MainTest {

    @TempDir
    Path tmp;

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", tmp.toString());
        env.put("PATH", "/usr/bin:/bin");
        env.put("IOC_RUNNER_CONF_DIR", tmp.resolve("conf").toString());
        env.put("IOC_RUNNER_AUDIT_SOCKET", tmp.resolve("no-syslog-here").toString()); // keep tests out of the host's syslog
        return env;
    }

    @Test
    void changingCommandsSendOneAuditLineEachToSyslogAndReadingOnesNone() throws IOException {
        Path socket = tmp.resolve("log.sock");
        Path dir = iocBoot("iocaudit", "st.cmd");
        try (AFUNIXDatagramSocket syslog = AFUNIXDatagramSocket.newInstance()) {
            syslog.bind(AFUNIXSocketAddress.of(socket.toFile()));
            syslog.setSoTimeout(5000);
            Map<String, String> env = env();
            env.put("IOC_RUNNER_AUDIT_SOCKET", socket.toString());

            assertEquals(0, CliRun.of(env, "--local", "generate", dir.toString()).exit());
            // A reading command that fails before it needs systemd: a unit test must not reach a manager.
            assertEquals(1, CliRun.of(env, "--local", "view", "ghost").exit());
            assertEquals(1, CliRun.of(env, "--local", "stop", "ghost").exit());

            String user = io.iocagent.posix.Account.current(env).user();
            String first = receive(syslog);
            assertTrue(first.matches("<85>ioc-runner\\[\\d+\\]: surface=cli user=" + user + " role=\"\" remote=local action=exec"
                    + " ioc=\"\" mbean=\"\" member=generate detail=" + dir + " outcome=ok message=\"\""), first);
            String second = receive(syslog);
            assertTrue(second.contains(" ioc=ghost mbean=\"\" member=stop detail=ghost outcome=failed"
                    + " message=\"exit 1: No configuration found for IOC 'ghost'"), second);
            syslog.setSoTimeout(300);
            assertThrows(java.net.SocketTimeoutException.class, () -> receive(syslog), "view is not audited");
        }
    }

    @Test
    void credentialPrintsALineTheAgentAcceptsForThePasswordOnStdin() throws IOException {
        CliRun r = CliRun.withInput(env(), "correct horse\n", "credential", "olivia:operator");
        assertEquals(0, r.exit(), r.transcript());
        String line = r.out().strip();
        assertTrue(line.startsWith("olivia:operator:pbkdf2-sha256$600000$"), line);

        Path file = tmp.resolve("credentials");
        Files.writeString(file, line + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        io.iocagent.jmx.CredentialsFile credentials = io.iocagent.jmx.CredentialsFile.open(file);
        assertEquals(java.util.Optional.of(io.iocagent.jmx.Role.OPERATOR),
                credentials.authenticate("olivia", "correct horse".toCharArray()));
    }

    @Test
    void credentialRefusesAMissingRoleAnUnknownRoleAShortPasswordAndABadUser() {
        CliRun noRole = CliRun.withInput(env(), "correct horse\n", "credential", "olivia");
        assertEquals(1, noRole.exit());
        assertTrue(noRole.err().contains("Error: credential needs USER:ROLE, for example olivia:operator."), noRole.transcript());
        CliRun badRole = CliRun.withInput(env(), "correct horse\n", "credential", "olivia:admin");
        assertTrue(badRole.exit() == 1 && badRole.err().contains("Unknown role 'admin'"), badRole.transcript());
        CliRun shortPw = CliRun.withInput(env(), "short\n", "credential", "olivia:viewer");
        assertTrue(shortPw.exit() == 1 && shortPw.err().contains("shorter than 8 characters"), shortPw.transcript());
        CliRun noPw = CliRun.of(env(), "credential", "olivia:viewer");
        assertTrue(noPw.exit() == 1 && noPw.err().contains("No password given"), noPw.transcript());
        CliRun badUser = CliRun.withInput(env(), "correct horse\n", "credential", "o livia:viewer");
        assertTrue(badUser.exit() == 1 && badUser.err().contains("may only use letters, digits"), badUser.transcript());
        for (CliRun r : List.of(noRole, badRole, shortPw, noPw, badUser)) {
            assertEquals("", r.out(), "nothing printed to append: " + r.transcript());
        }
    }

    private static String receive(AFUNIXDatagramSocket socket) throws IOException {
        byte[] buffer = new byte[4096];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        return new String(buffer, 0, packet.getLength(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void noCommandPrintsUsageAndSucceeds() {
        CliRun r = CliRun.of(env());
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Usage: ioc-runner [OPTIONS] COMMAND [TARGET]"));
    }

    @Test
    void unknownOptionIsOneErrorLineAndAHintNotTheWholeUsage() {
        CliRun r = CliRun.of(env(), "--bogus");
        assertEquals(1, r.exit());
        assertEquals("Error: Unknown option '--bogus'\n  -> Try 'ioc-runner --help' for the commands and options.\n",
                r.err(), r.transcript());
        assertEquals("", r.out(), "no usage on stdout after an error: " + r.transcript());

        CliRun typo = CliRun.of(env(), "start", "x", "--lcoal");
        assertEquals(1, typo.exit());
        assertEquals("Error: Unknown option '--lcoal'\n  -> Did you mean '--local'? Try 'ioc-runner start --help'.\n",
                typo.err(), typo.transcript());

        CliRun beforeCommand = CliRun.of(env(), "--jsn", "list");
        assertEquals("Error: Unknown option '--jsn'\n  -> Did you mean '--json'? Try 'ioc-runner list --help'.\n",
                beforeCommand.err(), beforeCommand.transcript());

        CliRun third = CliRun.of(env(), "stop", "a", "b");
        assertEquals("Error: Unexpected argument 'b'\n  -> Try 'ioc-runner stop --help' for its options.\n",
                third.err(), third.transcript());
    }

    @Test
    void eachCommandsHelpIsItsOwnShortTextWhereverTheOptionStands() {
        for (Verb verb : Verb.values()) {
            for (List<String> line : List.of(List.of(verb.word(), "--help"), List.of("-h", verb.word()),
                    List.of("--local", verb.word(), "NAME", "-h"))) {
                CliRun r = CliRun.of(env(), line.toArray(String[]::new));
                assertEquals(0, r.exit(), r.transcript());
                assertEquals("", r.err(), r.transcript());
                List<String> lines = r.out().lines().toList();
                assertTrue(lines.get(0).startsWith("Usage: ioc-runner ") && lines.get(0).contains(" " + verb.word()),
                        line + " must print " + verb.word() + "'s own usage first: " + r.out());
                assertTrue(lines.contains("Example:") && lines.contains("Options:"), r.out());
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("Exit status: ")), r.out());
                assertFalse(r.out().contains("Commands:"), "not the global help: " + r.out());
                if (verb != Verb.AGENT) {
                    assertTrue(lines.size() <= 20, verb + "'s help is short (" + lines.size() + " lines)");
                }
                for (String option : verb.options()) {
                    assertTrue(r.out().contains(option), verb + "'s help names its option " + option + ": " + r.out());
                }
                assertTrue(lines.stream().allMatch(l -> l.length() <= 100), verb + ": lines fit 100 columns");
            }
        }
        CliRun agent = CliRun.of(env(), "agent", "--help");
        for (io.iocagent.agent.AgentSettings.Key key : io.iocagent.agent.AgentSettings.describe()) {
            assertTrue(agent.out().contains(key.name() + "=" + key.defaultValue() + "\n"), "agent --help lists " + key.name());
        }
        assertTrue(agent.out().contains("  tls.keystore.password=\n        its password (in the file only, never as a flag) (file only)")
                || agent.out().contains("  tls.keystore.password=\n"), agent.out());
        assertFalse(agent.out().contains("--tls.keystore.password="), "a secret is never offered as a flag: " + agent.out());
    }

    @Test
    void helpOfAnUnknownCommandIsTheGlobalHelpAndSucceedsAsInTheSeed() {
        for (List<String> line : List.of(List.of("--help"), List.of("frobnicate", "--help"), List.of("-h", "-V"))) {
            CliRun r = CliRun.of(env(), line.toArray(String[]::new));
            assertEquals(0, r.exit(), r.transcript());
            assertTrue(r.out().contains("Usage: ioc-runner [OPTIONS] COMMAND [TARGET]") && r.out().contains("Commands:"),
                    r.transcript());
            assertTrue(r.out().contains("Each command's own options and an example: ioc-runner COMMAND --help"), r.out());
        }
    }

    @Test
    void hostileWordsInErrorsAreShownWithoutTheirControlCharacters() {
        CliRun escape = CliRun.of(env(), "\u001b]0;owned\u0007");
        assertEquals(1, escape.exit());
        assertEquals("Error: Unknown command '?]0;owned?'\n  -> Try 'ioc-runner --help' for the commands and options.\n",
                escape.err(), escape.transcript());
        CliRun option = CliRun.of(env(), "list", "--x\u001b[2J");
        assertEquals(1, option.exit());
        assertTrue(option.err().startsWith("Error: Unknown option '--x?[2J'\n"), option.transcript());

        String huge = "-" + "x".repeat(100_000);
        CliRun long_ = CliRun.of(env(), huge);
        assertEquals(1, long_.exit());
        assertEquals(2, long_.err().lines().count(), "one error line and a hint, even for a huge word");
        assertEquals("", long_.out());

        CliRun empty = CliRun.of(env(), "");
        assertEquals(1, empty.exit());
        assertTrue(empty.err().startsWith("Error: Unknown command ''\n"), empty.transcript());
    }

    @Test
    void versionNamesTheProgramAndExitsZero() {
        CliRun r = CliRun.of(env(), "-V");
        assertEquals(0, r.exit());
        assertTrue(r.out().matches("(?s)epics-ioc-runner version \\S+ \\(epics-ioc-agent\\)\nbuild date: .*"),
                "-V must keep epics-ioc-runner's first line for scripts: " + r.out());
    }

    @Test
    void verboseIsOnlyForList() {
        CliRun r = CliRun.of(env(), "status", "x", "-v");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Verbose options (-v, -vv) are only supported for the 'list' command."));
    }

    @Test
    void invalidNameIsRejectedBeforeAnythingElse() {
        for (String bad : new String[] {"my.ioc", "a@b", "bad name", "x".repeat(65)}) {
            CliRun r = CliRun.of(env(), "stop", bad);
            assertEquals(1, r.exit(), r.transcript());
            assertTrue(r.err().contains("Error: Invalid IOC name '" + bad + "'"), r.transcript());
            assertTrue(r.err().lines().count() >= 2, "error plus a hint line: " + r.transcript());
        }
    }

    @Test
    void systemModeRefusesADivergentRuntimeDirectory() {
        Map<String, String> env = env();
        env.remove("IOC_RUNNER_CONF_DIR");
        env.put("IOC_RUNNER_RUN_DIR", "/tmp/elsewhere");
        CliRun r = CliRun.of(env, "status", "x");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Error: system-mode runtime dir (/tmp/elsewhere) diverges from the fixed systemd"));
    }

    @Test
    void relativeConfigurationDirectoryIsRefused() {
        Map<String, String> env = env();
        env.put("IOC_RUNNER_CONF_DIR", "relative/dir");
        CliRun r = CliRun.of(env, "--local", "status", "x");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("must be an absolute path with no whitespace"), r.transcript());
    }

    @Test
    void unknownCommandIsOneErrorLineAndAHintWithTheClosestCommand() {
        CliRun r = CliRun.of(env(), "frobnicate");
        assertEquals(1, r.exit());
        assertEquals("Error: Unknown command 'frobnicate'\n  -> Try 'ioc-runner --help' for the commands and options.\n",
                r.err(), r.transcript());
        assertEquals("", r.out());
        CliRun typo = CliRun.of(env(), "--local", "strat", "x");
        assertEquals(1, typo.exit());
        assertEquals("Error: Unknown command 'strat'\n  -> Did you mean 'start'? Try 'ioc-runner --help'.\n",
                typo.err(), typo.transcript());
    }

    @Test
    void aForgottenLocalIsNamedWhenTheOtherModeHasTheIoc() throws IOException {
        Map<String, String> env = env();
        env.remove("IOC_RUNNER_CONF_DIR");
        Path local = Files.createDirectories(tmp.resolve("local-conf"));
        Path system = Files.createDirectories(tmp.resolve("system-conf"));
        env.put("IOC_RUNNER_LOCAL_CONF_DIR", local.toString());
        env.put("IOC_RUNNER_SYSTEM_CONF_DIR", system.toString());
        Files.writeString(local.resolve("mine.conf"), "IOC_NAME=\"mine\"\n");
        Files.writeString(system.resolve("shared.conf"), "IOC_NAME=\"shared\"\n");

        for (String verb : List.of("start", "stop", "restart", "enable", "disable", "remove")) {
            CliRun forgot = CliRun.of(env, verb, "mine");
            assertEquals(1, forgot.exit(), forgot.transcript());
            assertTrue(forgot.err().contains("  -> Nothing to " + verb + ": the IOC is not installed in system mode.\n"
                    + "  -> It is installed in local mode (" + local.resolve("mine.conf") + "): ioc-runner --local "
                    + verb + " mine\n"), forgot.transcript());
        }
        CliRun extra = CliRun.of(env, "--local", "stop", "shared");
        assertTrue(extra.err().contains("  -> It is installed in system mode (" + system.resolve("shared.conf")
                + "): ioc-runner stop shared\n"), extra.transcript());

        CliRun nowhere = CliRun.of(env, "stop", "ghost");
        assertEquals(1, nowhere.exit());
        assertFalse(nowhere.err().contains("It is installed"), "no hint for an IOC installed nowhere: " + nowhere.transcript());
        Files.createDirectories(local.resolve("dir.conf"));
        assertFalse(CliRun.of(env, "stop", "dir").err().contains("It is installed"), "a directory named dir.conf is no IOC");
    }

    @Test
    void missingTargetIsNamed() {
        CliRun r = CliRun.of(env(), "--local", "stop");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Error: Target IOC name is required for stop."), r.transcript());
    }

    private Path iocBoot(String name, String... cmds) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("iocs").resolve(name));
        for (String cmd : cmds) {
            Path f = dir.resolve(cmd);
            Files.writeString(f, "#!/bin/sh\necho ok\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return dir;
    }

    @Test
    void generateWritesTheSixLinesNextToTheStartupScript() throws IOException {
        Path dir = iocBoot("iocdemo", "st.cmd");
        CliRun r = CliRun.of(env(), "--local", "generate", dir.toString());
        assertEquals(0, r.exit(), r.transcript());
        Path conf = dir.resolve("iocdemo.conf");
        String text = Files.readString(conf);
        assertTrue(text.startsWith("IOC_NAME=\"iocdemo\"\nIOC_USER=\""), text);
        assertTrue(text.endsWith("IOC_CHDIR=\"" + dir + "\"\nIOC_PORT=\"\"\nIOC_CMD=\"./st.cmd\"\n"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)));
        assertTrue(r.out().contains("Next step: ioc-runner --local install " + conf), r.out());
    }

    @Test
    void generateAgainWithIdenticalResultChangesNothing() throws IOException {
        Path dir = iocBoot("iocsame", "st.cmd");
        assertEquals(0, CliRun.of(env(), "--local", "generate", dir.toString()).exit());
        CliRun again = CliRun.of(env(), "--local", "generate", dir.toString());
        assertEquals(0, again.exit());
        assertTrue(again.out().contains("is already up-to-date (Identical)"), again.out());
    }

    @Test
    void generateWithSeveralScriptsPromptsAndEofAborts() throws IOException {
        Path dir = iocBoot("iocmany", "a.cmd", "b.cmd");
        CliRun eof = CliRun.withInput(env(), "", "--local", "generate", dir.toString());
        assertEquals(1, eof.exit());
        assertTrue(eof.err().contains("Error: Input stream closed (EOF). Aborting generation."), eof.transcript());
        assertFalse(Files.exists(dir.resolve("iocmany.conf")));

        CliRun picked = CliRun.withInput(env(), "7\nx\n2\n", "--local", "generate", dir.toString());
        assertEquals(0, picked.exit(), picked.transcript());
        assertTrue(picked.out().contains("Invalid selection. Please enter a number between 1 and 2."));
        assertTrue(Files.readString(dir.resolve("iocmany.conf")).contains("IOC_CMD=\"./b.cmd\""));
    }

    @Test
    void generateForcedWithSeveralScriptsTakesTheFirst() throws IOException {
        Path dir = iocBoot("iocforce", "b.cmd", "a.cmd");
        CliRun r = CliRun.of(env(), "--local", "generate", dir.toString(), "-f");
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(r.out().contains("Auto-selecting './a.cmd' due to --force."));
    }

    @Test
    void generateShowsADiffAndKeepsTheFileWhenDeclined() throws IOException {
        Path dir = iocBoot("iocdiff", "st.cmd");
        assertEquals(0, CliRun.of(env(), "--local", "generate", dir.toString()).exit());
        Path conf = dir.resolve("iocdiff.conf");
        String edited = Files.readString(conf).replace("IOC_PORT=\"\"", "IOC_PORT=\"\"\nEPICS_CA_SERVER_PORT=\"5070\"");
        Files.writeString(conf, edited);

        CliRun no = CliRun.withInput(env(), "n\n", "--local", "generate", dir.toString());
        assertEquals(1, no.exit());
        assertTrue(no.out().contains("already exists with differences"), no.out());
        assertTrue(no.out().contains("-EPICS_CA_SERVER_PORT=\"5070\""), no.out());
        assertTrue(no.out().contains("Generation aborted by user."));
        assertEquals(edited, Files.readString(conf));

        CliRun eof = CliRun.withInput(env(), "", "--local", "generate", dir.toString());
        assertEquals(1, eof.exit());
        assertTrue(eof.err().contains("Info: Input stream closed (EOF). Aborting generation."));
        assertEquals(edited, Files.readString(conf));

        CliRun yes = CliRun.withInput(env(), "y\n", "--local", "generate", dir.toString());
        assertEquals(0, yes.exit(), yes.transcript());
        assertFalse(Files.readString(conf).contains("EPICS_CA_SERVER_PORT"));
    }

    @Test
    void generateRefusesDirectoriesWithoutAnExecutableScriptOrWithABadName() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("iocempty"));
        CliRun none = CliRun.of(env(), "--local", "generate", empty.toString());
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("Could not resolve any executable .cmd file in " + empty));
        assertFalse(none.err().contains("chmod"), "no chmod hint for a st.cmd that does not exist: " + none.transcript());
        assertTrue(none.err().contains("  -> generate takes an iocBoot directory holding the IOC's startup script"),
                none.transcript());

        Path plain = Files.createDirectories(tmp.resolve("iocplain"));
        Files.writeString(plain.resolve("st.cmd"), "#!/bin/sh\n");
        Files.writeString(plain.resolve("it's here.cmd"), "#!/bin/sh\n");
        Files.writeString(plain.resolve("notes.txt"), "");
        Files.createDirectories(plain.resolve("dir.cmd"));
        CliRun notExecutable = CliRun.of(env(), "--local", "generate", plain.toString());
        assertEquals(1, notExecutable.exit());
        assertTrue(notExecutable.err().contains("  -> Make the startup script executable: chmod +x '"
                + plain.resolve("it's here.cmd").toString().replace("'", "'\\''") + "' " + plain.resolve("st.cmd") + "\n"),
                "the hint names the scripts that exist, quoted for the shell: " + notExecutable.transcript());

        Path badName = iocBoot("bad name", "st.cmd");
        CliRun bad = CliRun.of(env(), "--local", "generate", badName.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("Error: Invalid IOC name 'bad name' derived from path."), bad.transcript());

        CliRun notDir = CliRun.of(env(), "--local", "generate", tmp.resolve("nope").toString());
        assertEquals(1, notDir.exit());
        assertTrue(notDir.err().contains("is not a valid directory"));
    }
}
