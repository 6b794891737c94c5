package io.iocagent.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sudoers policy {@code setup-system-infra} renders, asked of the host's real sudo: in a
 * private mount namespace ({@code unshare -m}) the rendered file, a minimal {@code /etc/sudoers}
 * and account files with test users are bind-mounted over the host's, and
 * {@code sudo -l -U USER COMMAND...} says whether sudo would run each command — the whole matching
 * logic (arguments joined into one string, globs, regular expressions, '!' entries) is sudo's own.
 * The host's files are untouched: the mounts live only in that namespace.
 */
class SudoersPolicyIT {

    private static final String SYSTEMCTL = "/usr/bin/systemctl";
    /** Name: allowed by the IOC name rule (and so by the regex form). */
    private static final String NAME64 = "a".repeat(64);

    private StagingRoot stage;

    private record Attempt(String user, List<String> args, boolean allowed) {
        String describe() {
            return "sudo -u root " + SYSTEMCTL + " " + String.join(" ", args) + " as " + user;
        }
    }

    @BeforeEach
    void openStage() {
        stage = StagingRoot.open();
        TestBed.requireOrSkip(StagingRoot.onPath("unshare").isPresent(), "unshare not found (package util-linux).");
        TestBed.requireOrSkip(StagingRoot.onPath("sudo").isPresent(), "sudo not found (package sudo).");
    }

    @AfterEach
    void closeStage() throws IOException {
        if (stage != null) {
            stage.close();
        }
    }

    @Test
    void theRegexFormAllowsExactlyTheSevenCommandsOnValidIocNamesForGroupIoc() throws IOException {
        TestBed.requireOrSkip(sudoSupportsRegex(), "this sudo predates 1.9.10 (no regular expressions in arguments).");
        List<Attempt> attempts = new ArrayList<>(common());
        // The regex form also holds the IOC name rule's first character and length.
        attempts.add(new Attempt("alice", List.of("start", "epics-@" + NAME64 + ".service"), true));
        attempts.add(new Attempt("alice", List.of("start", "epics-@" + NAME64 + "a.service"), false));
        attempts.add(new Attempt("alice", List.of("enable", "epics-@-x.service"), false));
        check("regex", attempts);
    }

    @Test
    void theGlobFormRefusesSecondUnitsPathsOptionsAndEscapes() throws IOException {
        check("glob", common());
    }

    /** What both forms must answer the same. */
    private static List<Attempt> common() {
        List<Attempt> a = new ArrayList<>();
        for (String verb : List.of("start", "stop", "restart", "status", "enable", "disable")) {
            a.add(new Attempt("alice", List.of(verb, "epics-@myioc.service"), true));
            a.add(new Attempt("alice", List.of(verb, "epics-@_x-1.service"), true));
            // A second unit, a unit file path, the empty name, a name with a dot, an escape, a space.
            a.add(new Attempt("alice", List.of(verb, "epics-@a.service", "sshd.service", "epics-@b.service"), false));
            a.add(new Attempt("alice", List.of(verb, "epics-@/../../home/alice/evil.service"), false));
            a.add(new Attempt("alice", List.of(verb, "epics-@.service"), false));
            a.add(new Attempt("alice", List.of(verb, "epics-@bad..name.service"), false));
            a.add(new Attempt("alice", List.of(verb, "epics-@my\\x2dioc.service"), false));
            a.add(new Attempt("alice", List.of(verb, "epics-@a b.service"), false));
            a.add(new Attempt("alice", List.of(verb, "epics-@*.service"), false));
            a.add(new Attempt("alice", List.of("--now", verb, "epics-@myioc.service"), false));
            a.add(new Attempt("alice", List.of(verb, "--now", "epics-@myioc.service"), false));
            a.add(new Attempt("alice", List.of(verb, "epics-@myioc.socket"), false));
            // Nobody outside group ioc.
            a.add(new Attempt("bob", List.of(verb, "epics-@myioc.service"), false));
        }
        a.add(new Attempt("alice", List.of("daemon-reload"), true));
        a.add(new Attempt("alice", List.of("daemon-reexec"), false));
        a.add(new Attempt("alice", List.of("start", "systemd-journald.service"), false));
        a.add(new Attempt("alice", List.of("kill", "epics-@myioc.service"), false));
        a.add(new Attempt("alice", List.of("set-property", "epics-@myioc.service", "User=root"), false));
        a.add(new Attempt("alice", List.of("link", "/home/alice/evil.service"), false));
        a.add(new Attempt("alice", List.of("edit", "epics-@myioc.service"), false));
        a.add(new Attempt("alice", List.of("mask", "epics-@myioc.service"), false));
        a.add(new Attempt("bob", List.of("daemon-reload"), false));
        // The seed's policy names the group, and the procServ account's primary group is ioc: sudo
        // counts it as a member (docs/security.md says so). Pinned, so a change is seen.
        a.add(new Attempt("ioc-srv", List.of("restart", "epics-@myioc.service"), true));
        return a;
    }

    private void check(String form, List<Attempt> attempts) throws IOException {
        StagingRoot.Result setup = stage.setup(Map.of("IOC_AGENT_SUDOERS_FORM", form), "--full");
        assertEquals(0, setup.exitCode(), setup.output());
        Path work = stage.root().resolve("sudo-check");
        Path sudoersD = Files.createDirectories(work.resolve("sudoers.d"));
        Files.copy(stage.at("/etc/sudoers.d/10-epics-ioc"), sudoersD.resolve("10-epics-ioc"));
        Path sudoers = Files.writeString(work.resolve("sudoers"),
                "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n");
        Files.setPosixFilePermissions(sudoers, PosixFilePermissions.fromString("r--r-----"));
        // The host's accounts plus the test's: alice (supplementary ioc), bob (no ioc), ioc-srv (primary ioc).
        // A gid of its own: one a host group already has would make sudo see that group's name.
        int ioc = 64100;
        Files.writeString(work.resolve("passwd"), withoutNames(Path.of("/etc/passwd"), "alice", "bob", "ioc-srv")
                + "alice:x:64101:64101::/nonexistent:/bin/sh\nbob:x:64102:64102::/nonexistent:/bin/sh\n"
                + "ioc-srv:x:64103:" + ioc + "::/nonexistent:/usr/sbin/nologin\n");
        Files.writeString(work.resolve("group"), withoutNames(Path.of("/etc/group"), "alice", "bob", "ioc")
                + "alice:x:64101:\nbob:x:64102:\nioc:x:" + ioc + ":alice\n");

        StringBuilder cases = new StringBuilder();
        for (Attempt a : attempts) {
            cases.append(a.user()).append('\t').append(SYSTEMCTL);
            a.args().forEach(arg -> cases.append('\t').append(arg));
            cases.append('\n');
        }
        Files.writeString(work.resolve("cases"), cases.toString());
        Path script = Files.writeString(work.resolve("ask-sudo"), """
                set -eu
                w=$1
                mount --bind "$w/passwd" /etc/passwd
                mount --bind "$w/group" /etc/group
                mount --bind "$w/sudoers" /etc/sudoers
                mount --bind "$w/sudoers.d" /etc/sudoers.d
                while IFS=$'\\t' read -r -a c; do
                    if sudo -n -l -U "${c[0]}" "${c[@]:1}" >/dev/null 2>&1; then echo allowed; else echo refused; fi
                done < "$w/cases"
                """);
        StagingRoot.Result r = StagingRoot.run(Map.of(), "unshare", "-m", "--propagation", "private", "bash", script.toString(),
                work.toString());
        assertEquals(0, r.exitCode(), r.output());
        List<String> answers = r.output().lines().toList();
        assertEquals(attempts.size(), answers.size(), r.output());
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            if (!answers.get(i).equals(a.allowed() ? "allowed" : "refused")) {
                wrong.add(a.describe() + ": sudo says " + answers.get(i));
            }
        }
        assertEquals(List.of(), wrong, form + " form of " + stage.at("/etc/sudoers.d/10-epics-ioc"));
    }

    /** The lines of an account file except those of {@code names}. */
    private static String withoutNames(Path file, String... names) throws IOException {
        StringBuilder kept = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (!List.of(names).contains(line.split(":", 2)[0])) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }

    private static boolean sudoSupportsRegex() {
        Matcher m = Pattern.compile("Sudo version (\\d+)\\.(\\d+)\\.(\\d+)").matcher(StagingRoot.run(Map.of(), "sudo", "-V").output());
        if (!m.find()) {
            return false;
        }
        int[] v = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        return v[0] > 1 || v[0] == 1 && (v[1] > 9 || v[1] == 9 && v[2] >= 10);
    }
}
