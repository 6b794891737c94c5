package io.iocagent.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.agent.AgentSettings;
import io.iocagent.conf.Identity;
import io.iocagent.conf.UnitTemplates;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/bin/setup-system-infra} end to end: the real script, run as root with
 * {@code --root} on a temporary prefix (accounts through {@code useradd/groupadd --prefix}),
 * checked with independent tools ({@code getfacl}, {@code visudo}, {@code systemd-analyze}) and
 * against the texts epics-ioc-runner 1.2.4 ("the seed") installs, so the two tools' setups agree.
 */
class SetupScriptIT {

    /** The seed's /etc/logrotate.d/procserv. */
    private static final String SEED_LOGROTATE = """
            /var/log/procserv/*.log {
                su root ioc
                weekly
                rotate 8
                compress
                missingok
                notifempty
                copytruncate
                nodateext
            }
            """;

    /** The seed's sudoers policy, regex form for sudo 1.9.10+. */
    private static final String SEED_SUDOERS_REGEX = """
            # /etc/sudoers.d/10-epics-ioc
            %ioc ALL=(root) NOPASSWD: /usr/bin/systemctl ^start epics-@[A-Za-z0-9_][A-Za-z0-9_-]{0,63}\\.service$, \\
                                                  /usr/bin/systemctl ^stop epics-@[A-Za-z0-9_][A-Za-z0-9_-]{0,63}\\.service$, \\
                                                  /usr/bin/systemctl ^restart epics-@[A-Za-z0-9_][A-Za-z0-9_-]{0,63}\\.service$, \\
                                                  /usr/bin/systemctl ^status epics-@[A-Za-z0-9_][A-Za-z0-9_-]{0,63}\\.service$, \\
                                                  /usr/bin/systemctl ^enable epics-@[A-Za-z0-9_][A-Za-z0-9_-]{0,63}\\.service$, \\
                                                  /usr/bin/systemctl ^disable epics-@[A-Za-z0-9_][A-Za-z0-9_-]{0,63}\\.service$, \\
                                                  /usr/bin/systemctl ^daemon-reload$
            """;

    /** The seed's sudoers policy, glob form for older sudo: its '*' also matches a second unit or a path. */
    private static final String SEED_SUDOERS_GLOB = """
            # /etc/sudoers.d/10-epics-ioc
            # Glob-fallback form: this host's sudo does not support regex command
            # arguments (introduced in sudo 1.9.10). Scope is broader than the
            # runner IOC-name model [A-Za-z0-9_][A-Za-z0-9_-]{0,63}, but systemd
            # unit-name escaping plus template-only resolution keep this off any
            # escalation path. See docs/PERMISSION_MODEL.md.
            %ioc ALL=(root) NOPASSWD: /usr/bin/systemctl start epics-@*.service, \\
                                                  /usr/bin/systemctl stop epics-@*.service, \\
                                                  /usr/bin/systemctl restart epics-@*.service, \\
                                                  /usr/bin/systemctl status epics-@*.service, \\
                                                  /usr/bin/systemctl enable epics-@*.service, \\
                                                  /usr/bin/systemctl disable epics-@*.service, \\
                                                  /usr/bin/systemctl daemon-reload
            """;

    private static final Path DEPLOY = StagingRoot.SOURCE_TOP.resolve("deploy");

    /** Backups are named after the installed path, / as _. */
    private static final String RULE_BACKUP = "etc_polkit-1_rules.d_60-epics-ioc-agent.rules.";

    /** The heart of the rule shipped before: manage-unit-files for the group and the agent, a root grant. */
    private static final String OLD_RULE = """
            polkit.addRule(function (action, subject) {
                var UNIT_FILES_FOR_GROUP = true;
                var agent = subject.user === "ioc-agent";
                if (subject.user === "ioc-srv" || !(agent || subject.isInGroup("ioc"))) {
                    return polkit.Result.NOT_HANDLED;
                }
                if (action.id === "org.freedesktop.systemd1.manage-unit-files") {
                    return agent || UNIT_FILES_FOR_GROUP ? polkit.Result.YES : polkit.Result.NOT_HANDLED;
                }
                return polkit.Result.NOT_HANDLED;
            });
            """;

    private StagingRoot stage;

    @BeforeEach
    void openStage() {
        stage = StagingRoot.open();
    }

    @AfterEach
    void closeStage() throws IOException {
        if (stage != null) {
            stage.close();
        }
    }

    @Test
    void fullInstallCreatesEveryArtifactWithItsOwnerModeAndAcl() throws IOException {
        Files.createDirectories(stage.at("/etc"));
        Files.writeString(stage.at("/etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
        StagingRoot.Result r = stage.setup("--full");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("Failed : 0/"), r.output());
        assertTrue(r.output().contains("sudo systemctl enable --now ioc-agent.service"),
                "the agent is not started unasked; the next command is printed:\n" + r.output());

        // Accounts: ioc-srv in ioc; ioc-agent with its own group and a member of ioc; no logins.
        int ioc = stage.gid("ioc");
        int agentUid = stage.uid("ioc-agent");
        int agentGid = stage.gid("ioc-agent");
        String[] srv = stage.entry("passwd", "ioc-srv");
        assertEquals(String.valueOf(ioc), srv[3]);
        assertTrue(srv[6].endsWith("nologin"), srv[6]);
        assertEquals("/nonexistent", srv[5]);
        assertEquals(String.valueOf(agentGid), stage.entry("passwd", "ioc-agent")[3]);
        assertTrue(stage.entry("passwd", "ioc-agent")[6].endsWith("nologin"));
        assertTrue(List.of(stage.entry("group", "ioc")[3].split(",")).contains("ioc-agent"));

        assertDir(stage.at("/etc/procServ.d"), 0, ioc, 02770);
        Path logDir = stage.at("/var/log/procserv");
        assertDir(logDir, 0, ioc, 02775);
        String acl = StagingRoot.run(Map.of(), "getfacl", "-n", "-p", "--omit-header", logDir.toString()).output();
        for (String line : List.of("default:group:" + ioc + ":rw-", "default:other::r--", "default:mask::rw-")) {
            assertTrue(acl.lines().anyMatch(line::equals), "missing " + line + " in\n" + acl);
        }

        // The template: the seed's bytes, but for the procServ this host has.
        Path template = stage.at("/etc/systemd/system/epics-@.service");
        assertFile(template, 0, 0, 0644);
        String procServ = StagingRoot.procServ().orElseThrow().toString();
        // UnitTemplatesTest pins this renderer to the seed's bytes; the script must render the same.
        assertEquals(UnitTemplates.system(new Identity("ioc-srv", "ioc"), Path.of("/etc/procServ.d"),
                Path.of("/var/log/procserv"), Path.of(procServ)), Files.readString(template));

        Path agentUnit = stage.at("/etc/systemd/system/ioc-agent.service");
        assertFile(agentUnit, 0, 0, 0644);
        assertEquals(Files.readString(DEPLOY.resolve("systemd/ioc-agent.service")), Files.readString(agentUnit));

        Path sudoers = stage.at("/etc/sudoers.d/10-epics-ioc");
        assertFile(sudoers, 0, 0, 0440);
        // The regex form is the seed's, byte for byte (both tools' setups leave it alone); the glob form is narrower.
        String glob = Files.readString(DEPLOY.resolve("sudoers/10-epics-ioc.glob.in")).replace("@SYSTEM_GROUP@", "ioc");
        assertTrue(List.of(SEED_SUDOERS_REGEX, glob).contains(Files.readString(sudoers)), Files.readString(sudoers));
        StagingRoot.Result visudo = StagingRoot.run(Map.of(), "visudo", "-cf", sudoers.toString());
        assertEquals(0, visudo.exitCode(), visudo.output());

        Path polkit = stage.at("/etc/polkit-1/rules.d/60-epics-ioc-agent.rules");
        assertFile(polkit, 0, 0, 0644);
        assertEquals(Files.readString(DEPLOY.resolve("polkit/60-epics-ioc-agent.rules")), Files.readString(polkit));

        assertFile(stage.at("/etc/logrotate.d/procserv"), 0, 0, 0644);
        assertEquals(SEED_LOGROTATE, Files.readString(stage.at("/etc/logrotate.d/procserv")));
        assertFile(stage.at("/etc/logrotate.d/ioc-agent"), 0, 0, 0644);
        assertTrue(Files.readString(stage.at("/etc/logrotate.d/ioc-agent")).contains("/var/log/ioc-agent/audit.log {"));

        // The agent's configuration: readable by the agent only (it may hold a keystore password).
        assertDir(stage.at("/etc/ioc-agent"), 0, agentGid, 0750);
        Path properties = stage.at("/etc/ioc-agent/agent.properties");
        assertFile(properties, 0, agentGid, 0640);
        AgentSettings settings = AgentSettings.load(Optional.of(properties), Map.of());
        assertEquals(Optional.of(Path.of("/etc/ioc-agent/credentials")), settings.credentials());
        assertEquals(Optional.of(Path.of("/etc/ioc-agent/jolokia-access.xml")), settings.jolokiaPolicy());
        assertEquals(Optional.of(Path.of("/var/log/ioc-agent/audit.log")), settings.auditLog());
        assertEquals("127.0.0.1", settings.jolokiaHost());
        assertFile(stage.at("/etc/ioc-agent/jolokia-access.xml"), 0, agentGid, 0644);
        Path credentials = stage.at("/etc/ioc-agent/credentials");
        assertFile(credentials, agentUid, agentGid, 0600);
        assertEquals(0, Files.size(credentials));
        assertDir(stage.at("/var/log/ioc-agent"), agentUid, agentGid, 0750);

        assertFile(stage.at("/usr/local/lib/ioc-agent/ioc-agent.jar"), 0, 0, 0644);
        assertEquals(Files.mismatch(StagingRoot.JAR, stage.at("/usr/local/lib/ioc-agent/ioc-agent.jar")), -1L);
        assertFile(stage.at("/usr/local/bin/ioc-runner"), 0, 0, 0755);
        assertFile(stage.at("/etc/bash_completion.d/ioc-runner"), 0, 0, 0644);
        assertFalse(Files.exists(stage.at("/usr/bin/ioc-runner")), "no /usr/bin symlink outside the RHEL family");

        assertEquals(List.of(), stage.backups(), "a first install replaces nothing");
    }

    @Test
    void siteAccountAndLogDirectoryOverridesReachEveryRenderedFile() throws IOException {
        Map<String, String> site = Map.of("IOC_RUNNER_SYSTEM_USER", "epics-srv", "IOC_RUNNER_SYSTEM_GROUP", "epics",
                "IOC_RUNNER_SYSTEM_LOG_DIR", "/srv/log/procserv");
        StagingRoot.Result r = stage.setup(site, "--full");
        assertEquals(0, r.exitCode(), r.output());
        int epics = stage.gid("epics");
        assertEquals(String.valueOf(epics), stage.entry("passwd", "epics-srv")[3]);
        assertTrue(List.of(stage.entry("group", "epics")[3].split(",")).contains("ioc-agent"));
        assertDir(stage.at("/srv/log/procserv"), 0, epics, 02775);

        String template = Files.readString(stage.at("/etc/systemd/system/epics-@.service"));
        assertTrue(template.contains("\nUser=epics-srv\nGroup=epics\n"), template);
        assertTrue(template.contains(" --logfile=/srv/log/procserv/%i.log "), template);
        String agentUnit = Files.readString(stage.at("/etc/systemd/system/ioc-agent.service"));
        assertTrue(agentUnit.contains("\nSupplementaryGroups=epics\n"), agentUnit);
        assertTrue(agentUnit.contains("\nEnvironment=IOC_RUNNER_SYSTEM_USER=epics-srv IOC_RUNNER_SYSTEM_GROUP=epics"
                + " IOC_RUNNER_SYSTEM_LOG_DIR=/srv/log/procserv\n"), "the agent must see the same overrides:\n" + agentUnit);
        String rule = Files.readString(stage.at("/etc/polkit-1/rules.d/60-epics-ioc-agent.rules"));
        assertTrue(rule.contains("var IOC_GROUP = \"epics\";") && rule.contains("var SERVICE_USER = \"epics-srv\";"), rule);
        assertTrue(Files.readString(stage.at("/etc/sudoers.d/10-epics-ioc")).contains("\n%epics ALL=(root) NOPASSWD: "));
        String rotation = Files.readString(stage.at("/etc/logrotate.d/procserv"));
        assertTrue(rotation.startsWith("/srv/log/procserv/*.log {\n    su root epics\n"), rotation);

        StagingRoot.Result verify = stage.setup(site, "--verify");
        assertEquals(0, verify.exitCode(), verify.output());
    }

    @Test
    void renderedUnitsPassSystemdAnalyzeVerify() throws IOException {
        Optional<Path> analyze = StagingRoot.onPath("systemd-analyze");
        TestBed.requireOrSkip(analyze.isPresent(), "systemd-analyze not found (package systemd).");
        assertEquals(0, stage.setup("--full").exitCode());
        // Checked outside the prefix, as instances of the real files: systemd-analyze resolves
        // ExecStart= on this host, so the launcher's path is pointed into the prefix.
        Path dir = Files.createTempDirectory(stage.root(), "verify-");
        Path instance = dir.resolve("epics-@verifyioc.service");
        Files.copy(stage.at("/etc/systemd/system/epics-@.service"), instance);
        Path agent = dir.resolve("ioc-agent.service");
        Files.writeString(agent, Files.readString(stage.at("/etc/systemd/system/ioc-agent.service"))
                .replace("ExecStart=/usr/local/bin/ioc-runner", "ExecStart=" + stage.at("/usr/local/bin/ioc-runner")));
        for (Path unit : List.of(instance, agent)) {
            StagingRoot.Result v = StagingRoot.run(Map.of(), analyze.get().toString(), "verify", unit.toString());
            assertEquals(0, v.exitCode(), v.output());
            assertEquals("", v.output().strip(), "systemd-analyze verify " + unit.getFileName() + " has findings");
        }
    }

    @Test
    void aSecondRunChangesNothingAndMakesNoBackup() throws IOException {
        assertEquals(0, stage.setup("--full").exitCode());
        Path credentials = stage.at("/etc/ioc-agent/credentials");
        Files.writeString(credentials, "alice:operator:pbkdf2-sha256$600000$WOcQTLi2aClijYbx8QETgw$G9ZPbgRj4nn7rsaDr/WAjp5dhvJH4aQ3bjZjaVcH+oc\n");

        StagingRoot.Result again = stage.setup("--full");
        assertEquals(0, again.exitCode(), again.output());
        assertFalse(again.output().contains("Installed "), again.output());
        assertFalse(again.output().contains("Created "), again.output());
        assertFalse(again.output().contains("Backed up"), again.output());
        assertEquals(List.of(), stage.backups());
        assertTrue(Files.readString(credentials).startsWith("alice:operator:"), "credentials are never rewritten");
    }

    @Test
    void aChangedArtifactIsBackedUpAndRestoredAndSiteConfigIsKept() throws IOException {
        assertEquals(0, stage.setup("--full").exitCode());
        Path rule = stage.at("/etc/polkit-1/rules.d/60-epics-ioc-agent.rules");
        Path template = stage.at("/etc/systemd/system/epics-@.service");
        Files.writeString(rule, "// a local edit\n", StandardOpenOption.APPEND);
        Files.writeString(template, Files.readString(template).replace("RestartSec=2", "RestartSec=9"));
        Files.setPosixFilePermissions(template, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path properties = stage.at("/etc/ioc-agent/agent.properties");
        Files.writeString(properties, "poll.interval=2s\n", StandardOpenOption.APPEND);

        StagingRoot.Result r = stage.setup("--full");
        assertEquals(0, r.exitCode(), r.output());

        assertEquals(Files.readString(DEPLOY.resolve("polkit/60-epics-ioc-agent.rules")), Files.readString(rule));
        assertTrue(Files.readString(template).contains("RestartSec=2\n"));
        assertFile(template, 0, 0, 0644);
        List<String> backups = stage.backups();
        assertEquals(2, backups.size(), backups.toString());
        assertTrue(backups.stream().anyMatch(b -> b.matches("etc_polkit-1_rules\\.d_60-epics-ioc-agent\\.rules\\.\\d{8}_\\d{6}(-\\d+)?\\.bak")), backups.toString());
        assertTrue(backups.stream().anyMatch(b -> b.matches("etc_systemd_system_epics-@\\.service\\.\\d{8}_\\d{6}(-\\d+)?\\.bak")), backups.toString());
        Path backupDir = stage.at("/var/backups/ioc-agent");
        assertDir(backupDir, 0, 0, 0700);
        String savedRule = Files.readString(backupDir.resolve(backups.stream().filter(b -> b.startsWith(RULE_BACKUP)).findFirst().orElseThrow()));
        assertTrue(savedRule.endsWith("// a local edit\n"), "the backup holds the replaced bytes");

        assertTrue(Files.readString(properties).endsWith("poll.interval=2s\n"), "a site-edited agent.properties is kept");
        assertTrue(r.output().contains("Kept site-edited " + properties), r.output());

        // Only three backups of one file are kept.
        for (int i = 0; i < 4; i++) {
            Files.writeString(rule, "// edit " + i + "\n", StandardOpenOption.APPEND);
            assertEquals(0, stage.setup("--full").exitCode());
        }
        assertEquals(3, stage.backups().stream().filter(b -> b.startsWith(RULE_BACKUP)).count(), stage.backups().toString());
    }

    @Test
    void aFailedVerificationExitsOneAndNamesTheArtifact() throws IOException {
        assertEquals(0, stage.setup("--full").exitCode());
        StagingRoot.Result clean = stage.setup("--verify");
        assertEquals(0, clean.exitCode(), clean.output());

        Path confDir = stage.at("/etc/procServ.d");
        Files.setPosixFilePermissions(confDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        StagingRoot.run(Map.of(), "setfacl", "-k", stage.at("/var/log/procserv").toString());
        StagingRoot.Result broken = stage.setup("--verify");
        assertEquals(1, broken.exitCode(), broken.output());
        assertTrue(broken.output().contains("Verify FAILED : " + confDir + " is root:ioc 0755, expected root:ioc 2770"), broken.output());
        assertTrue(broken.output().contains("lacks the default ACL entry default:mask::rw-"), broken.output());
        assertTrue(broken.output().contains("Setup verification FAILED (4 of "), broken.output());
        assertEquals(0755, StagingRoot.mode(confDir), "--verify changes nothing");

        // --full repairs modes and ACLs.
        assertEquals(0, stage.setup("--full").exitCode());
        assertEquals(02770, StagingRoot.mode(confDir));

        // A file where a directory belongs: verification fails, and --full refuses to guess.
        Path auditDir = stage.at("/var/log/ioc-agent");
        Files.delete(auditDir);
        Files.writeString(auditDir, "not a directory\n");
        StagingRoot.Result notDir = stage.setup("--verify");
        assertEquals(1, notDir.exitCode(), notDir.output());
        assertTrue(notDir.output().contains("Verify FAILED : " + auditDir + " is not a directory"), notDir.output());
        StagingRoot.Result refused = stage.setup("--full");
        assertEquals(1, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains(auditDir + " exists but is not a directory."), refused.output());
    }

    @Test
    void anUpgradedHostLosesTheManageUnitFilesGrant() throws IOException {
        assertEquals(0, stage.setup("--full").exitCode());
        Path rule = stage.at("/etc/polkit-1/rules.d/60-epics-ioc-agent.rules");
        Files.writeString(rule, OLD_RULE);

        StagingRoot.Result verify = stage.setup("--verify");
        assertEquals(1, verify.exitCode(), verify.output());
        assertTrue(verify.output().contains("Verify FAILED : " + rule + " grants org.freedesktop.systemd1.manage-unit-files, "
                + "which implies manage-units: root for group ioc and ioc-agent (run setup-system-infra --full to replace it)"),
                verify.output());

        StagingRoot.Result upgrade = stage.setup("--full");
        assertEquals(0, upgrade.exitCode(), upgrade.output());
        assertEquals(Files.readString(DEPLOY.resolve("polkit/60-epics-ioc-agent.rules")), Files.readString(rule));
        assertTrue(upgrade.output().contains("Verify OK     : " + rule + " grants no manage-unit-files"), upgrade.output());
        assertEquals(0, stage.setup("--verify").exitCode());
        // The old rule is kept only as a backup, outside polkit's rules directories.
        String backup = stage.backups().stream().filter(b -> b.startsWith(RULE_BACKUP)).findFirst().orElseThrow();
        assertEquals(OLD_RULE, Files.readString(stage.at("/var/backups/ioc-agent/" + backup)));
    }

    @Test
    void anotherRulesFileOnSystemdUnitsIsReportedForAHumanToRead() throws IOException {
        Path site = stage.at("/etc/polkit-1/rules.d/49-site.rules");
        Files.createDirectories(site.getParent());
        Files.writeString(site, "polkit.addRule(function (a, s) { if (a.id == \"org.freedesktop.systemd1.manage-unit-files\") "
                + "{ return polkit.Result.YES; } });\n");
        StagingRoot.Result r = stage.setup("--full");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("[WARN   ] " + site + " also rules on systemd's manage-units/manage-unit-files"), r.output());
    }

    @Test
    void theLauncherAndTheCompletionKeepThreeBackupsEach() throws IOException {
        assertEquals(0, stage.setup().exitCode());
        Path launcher = stage.at("/usr/local/bin/ioc-runner");
        Path completion = stage.at("/etc/bash_completion.d/ioc-runner");
        for (int i = 0; i < 4; i++) {
            Files.writeString(launcher, "# edit " + i + "\n", StandardOpenOption.APPEND);
            Files.writeString(completion, "# edit " + i + "\n", StandardOpenOption.APPEND);
            assertEquals(0, stage.setup().exitCode());
        }
        List<String> backups = stage.backups();
        List<String> launchers = backups.stream().filter(b -> b.startsWith("usr_local_bin_ioc-runner.")).toList();
        List<String> completions = backups.stream().filter(b -> b.startsWith("etc_bash_completion.d_ioc-runner.")).toList();
        assertEquals(3, launchers.size(), "launcher backups: " + backups);
        assertEquals(3, completions.size(), "completion backups: " + backups);
        assertEquals(6, backups.size(), backups.toString());
        // The three kept are the newest: the last edit is in one of them, the first is gone.
        Path dir = stage.at("/var/backups/ioc-agent");
        List<String> kept = new java.util.ArrayList<>();
        for (String b : launchers) {
            kept.add(Files.readString(dir.resolve(b)));
        }
        assertTrue(kept.stream().anyMatch(k -> k.endsWith("# edit 3\n")), "the newest launcher backup was pruned");
        assertTrue(kept.stream().noneMatch(k -> k.endsWith("# edit 0\n")), "the oldest launcher backup was kept");
    }

    @Test
    void sudoersRulesAfterTheIncludedirFailVerification() throws IOException {
        Path sudoers = stage.at("/etc/sudoers");
        Files.createDirectories(sudoers.getParent());
        Files.writeString(sudoers, "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n# a comment is fine\n");
        StagingRoot.Result ok = stage.setup("--full");
        assertEquals(0, ok.exitCode(), ok.output());
        assertTrue(ok.output().contains("reads /etc/sudoers.d last"), ok.output());

        Files.writeString(sudoers, "%ioc ALL=(ALL) PASSWD: ALL\n", StandardOpenOption.APPEND);
        StagingRoot.Result late = stage.setup("--verify");
        assertEquals(1, late.exitCode(), late.output());
        assertTrue(late.output().contains("has active lines after its last includedir"), late.output());
        assertTrue(late.output().contains("5: %ioc ALL=(ALL) PASSWD: ALL"), late.output());
    }

    @Test
    void theGlobFormKeepsTheSeedsCommandsNarrowedByDenyLinesAndPassesVisudo() throws IOException {
        StagingRoot.Result r = stage.setup(Map.of("IOC_AGENT_SUDOERS_FORM", "glob"), "--full");
        assertEquals(0, r.exitCode(), r.output());
        Path sudoers = stage.at("/etc/sudoers.d/10-epics-ioc");
        String policy = Files.readString(sudoers);
        assertEquals(Files.readString(DEPLOY.resolve("sudoers/10-epics-ioc.glob.in")).replace("@SYSTEM_GROUP@", "ioc"), policy);
        // The seed's seven commands, then the '!' lines that refuse what its '*' also matched
        // (SudoersPolicyIT asks sudo itself).
        for (String command : SEED_SUDOERS_GLOB.lines().filter(l -> l.contains("/usr/bin/systemctl")).toList()) {
            String c = command.substring(command.indexOf("/usr/bin/systemctl")).replace(", \\", "").strip();
            assertTrue(policy.contains(" " + c + ", \\\n"), "the seed's command '" + c + "' is missing:\n" + policy);
        }
        assertTrue(policy.contains("!/usr/bin/systemctl enable epics-@*[!A-Za-z0-9_-]*.service"), policy);
        assertEquals(0, StagingRoot.run(Map.of(), "visudo", "-cf", sudoers.toString()).exitCode());
    }

    @Test
    void theCommandLineUpdateAloneInstallsJarLauncherAndRhelSymlink() throws IOException {
        Files.createDirectories(stage.at("/etc"));
        Files.writeString(stage.at("/etc/os-release"), "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n");
        StagingRoot.Result r = stage.setup();
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("Command line updated successfully."), r.output());
        assertFile(stage.at("/usr/local/bin/ioc-runner"), 0, 0, 0755);
        assertEquals(Path.of("/usr/local/bin/ioc-runner"), Files.readSymbolicLink(stage.at("/usr/bin/ioc-runner")));
        assertFalse(Files.exists(stage.at("/etc/procServ.d")), "without --full nothing else is made");
        assertFalse(Files.exists(stage.at("/etc/passwd")));
    }

    @Test
    void enableAgentUnderARootEnablesWithoutStarting() throws IOException {
        TestBed.requireOrSkip(StagingRoot.onPath("systemctl").isPresent(), "systemctl not found (package systemd).");
        StagingRoot.Result r = stage.setup("--full", "--enable-agent");
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(Path.of("/etc/systemd/system/ioc-agent.service"),
                Files.readSymbolicLink(stage.at("/etc/systemd/system/multi-user.target.wants/ioc-agent.service")));
        assertFalse(r.output().contains("enable --now ioc-agent.service   #"), r.output());
    }

    @Test
    void aBrokenSudoersTemplateAbortsBeforeAnythingIsInstalled() throws IOException {
        StagingRoot.Result r = stage.setup(Map.of("IOC_RUNNER_SYSTEM_GROUP", "bad group"), "--full");
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("Sudoers syntax validation failed. Aborting to prevent system lockout."), r.output());
        assertFalse(Files.exists(stage.at("/etc/group")), "nothing changed, not even the accounts");
        assertFalse(Files.exists(stage.at("/etc/sudoers.d/10-epics-ioc")));
    }

    private static void assertDir(Path p, int uid, int gid, int mode) throws IOException {
        assertTrue(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), p + " is not a directory");
        assertOwnerAndMode(p, uid, gid, mode);
    }

    private static void assertFile(Path p, int uid, int gid, int mode) throws IOException {
        assertTrue(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS), p + " is not a regular file");
        assertOwnerAndMode(p, uid, gid, mode);
    }

    private static void assertOwnerAndMode(Path p, int uid, int gid, int mode) throws IOException {
        assertEquals(uid + ":" + gid + " " + Integer.toOctalString(mode),
                StagingRoot.owner(p) + ":" + StagingRoot.group(p) + " " + Integer.toOctalString(StagingRoot.mode(p)), p.toString());
    }
}
