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
    void unknownOptionPrintsErrorAndUsageAndFails() {
        CliRun r = CliRun.of(env(), "--bogus");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Error: Unknown option '--bogus'"), r.transcript());
        assertTrue(r.out().contains("Usage:"));
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
    void unknownCommandFailsWithUsage() {
        CliRun r = CliRun.of(env(), "frobnicate");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Unknown command 'frobnicate'"));
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

        Path badName = iocBoot("bad name", "st.cmd");
        CliRun bad = CliRun.of(env(), "--local", "generate", badName.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("Error: Invalid IOC name 'bad name' derived from path."), bad.transcript());

        CliRun notDir = CliRun.of(env(), "--local", "generate", tmp.resolve("nope").toString());
        assertEquals(1, notDir.exit());
        assertTrue(notDir.err().contains("is not a valid directory"));
    }
}
