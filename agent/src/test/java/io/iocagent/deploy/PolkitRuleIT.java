package io.iocagent.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped polkit rule ({@code deploy/polkit/60-epics-ioc-agent.rules}) evaluated by Duktape —
 * the JavaScript engine polkitd 121+ embeds, ECMAScript 5 only — through a harness that builds
 * {@code Action} and {@code Subject} objects the way polkit's own prelude does ({@code lookup(k)}
 * reads detail {@code k}; {@code isInGroup} scans {@code groups}) and asks every rule in turn.
 * A syntax polkitd would reject fails here the same way. Needs {@code duk} (Debian package
 * {@code duktape}).
 */
class PolkitRuleIT {

    private static final Path RULE = StagingRoot.SOURCE_TOP.resolve("deploy/polkit/60-epics-ioc-agent.rules");

    private static final String HARNESS = """
            var polkit = {};
            polkit.Result = { NO: "no", YES: "yes", AUTH_SELF: "auth_self", AUTH_SELF_KEEP: "auth_self_keep",
                              AUTH_ADMIN: "auth_admin", AUTH_ADMIN_KEEP: "auth_admin_keep", NOT_HANDLED: null };
            polkit._ruleFuncs = [];
            polkit.addRule = function (f) { this._ruleFuncs.push(f); };
            polkit.addAdminRule = function (f) { };
            polkit.log = function (m) { print("log: " + m); };
            function Action(id, details) {
                this.id = id;
                for (var k in details) { this["_detail_" + k] = details[k]; }
                this.lookup = function (name) { return this["_detail_" + name]; };
            }
            function Subject(user, groups) {
                this.user = user; this.groups = groups; this.local = false; this.active = false; this.pid = 1;
                this.isInGroup = function (g) {
                    for (var n = 0; n < this.groups.length; n++) { if (this.groups[n] == g) { return true; } }
                    return false;
                };
            }
            function decide(action, subject) {
                for (var n = 0; n < polkit._ruleFuncs.length; n++) {
                    var r = polkit._ruleFuncs[n](action, subject);
                    if (r !== undefined && r !== null) { return r; }
                }
                return "not_handled";
            }
            """;

    private static final String MANAGE_UNITS = "org.freedesktop.systemd1.manage-units";
    private static final String ENGINEER = "new Subject('alice', ['alice', 'ioc'])";
    private static final String AGENT = "new Subject('ioc-agent', ['ioc-agent'])";
    private static final String OUTSIDER = "new Subject('bob', ['bob', 'users', 'sudo'])";

    private record Case(String action, String subject, String expected) {
    }

    @Test
    void grantsStartStopRestartOfIocUnitsAndUnitFilesAndReloadToGroupIocAndTheAgentOnly(@TempDir Path dir) throws IOException {
        Optional<Path> duk = StagingRoot.onPath("duk");
        TestBed.requireOrSkip(duk.isPresent(), "duk not found on PATH (Debian/Ubuntu: apt-get install duktape).");
        List<Case> cases = new ArrayList<>();
        String name64 = "a".repeat(64);
        for (String subject : List.of(ENGINEER, AGENT)) {
            for (String verb : List.of("start", "stop", "restart")) {
                cases.add(new Case(unitAction("epics-@myioc.service", verb), subject, "yes"));
            }
            cases.add(new Case(unitAction("epics-@" + name64 + ".service", "start"), subject, "yes"));
            cases.add(new Case(unitAction("epics-@_x-1.service", "restart"), subject, "yes"));
            cases.add(new Case("new Action('org.freedesktop.systemd1.manage-unit-files', {})", subject, "yes"));
            cases.add(new Case("new Action('org.freedesktop.systemd1.reload-daemon', {})", subject, "yes"));
            // Other verbs on an IOC unit.
            for (String verb : List.of("reload", "try-restart", "reload-or-restart", "kill", "reset-failed", "set-property", "freeze")) {
                cases.add(new Case(unitAction("epics-@myioc.service", verb), subject, "not_handled"));
            }
            // Units that are not an IOC instance, or not a valid IOC name.
            for (String unit : List.of("sshd.service", "epics-@.service", "epics-@-x.service", "epics-@" + name64 + "a.service",
                    "epics-@my.ioc.service", "epics-@myioc.socket", "epics-@myioc.service.d", "xepics-@myioc.service",
                    "epics-@my\\\\x2dioc.service", "epics-@myioc.service\\n")) {
                cases.add(new Case(unitAction(unit, "start"), subject, "not_handled"));
            }
            // Transient units (systemd-run) carry no unit detail.
            cases.add(new Case("new Action('" + MANAGE_UNITS + "', {verb: 'start'})", subject, "not_handled"));
            cases.add(new Case("new Action('org.freedesktop.systemd1.set-environment', {})", subject, "not_handled"));
            cases.add(new Case("new Action('org.freedesktop.login1.reboot', {})", subject, "not_handled"));
        }
        for (String action : List.of(unitAction("epics-@myioc.service", "start"),
                "new Action('org.freedesktop.systemd1.manage-unit-files', {})",
                "new Action('org.freedesktop.systemd1.reload-daemon', {})")) {
            cases.add(new Case(action, OUTSIDER, "not_handled"));
            // The procServ account runs IOC code; its primary group is ioc, and it still gets nothing.
            cases.add(new Case(action, "new Subject('ioc-srv', ['ioc'])", "not_handled"));
        }

        StringBuilder script = new StringBuilder(HARNESS).append(Files.readString(RULE)).append('\n');
        for (Case c : cases) {
            script.append("print(decide(").append(c.action()).append(", ").append(c.subject()).append("));\n");
        }
        Path js = Files.writeString(dir.resolve("rule-cases.js"), script);
        StagingRoot.Result r = StagingRoot.run(Map.of(), duk.get().toString(), js.toString());
        assertEquals(0, r.exitCode(), r.output());
        List<String> answers = r.output().lines().toList();
        assertEquals(cases.size(), answers.size(), r.output());
        for (int i = 0; i < cases.size(); i++) {
            assertEquals(cases.get(i).expected(), answers.get(i), cases.get(i).action() + " by " + cases.get(i).subject());
        }
    }

    @Test
    void withoutUnitFilesForTheGroupOnlyTheAgentMayEnable(@TempDir Path dir) throws IOException {
        Optional<Path> duk = StagingRoot.onPath("duk");
        TestBed.requireOrSkip(duk.isPresent(), "duk not found on PATH (Debian/Ubuntu: apt-get install duktape).");
        String rule = Files.readString(RULE).replace("var UNIT_FILES_FOR_GROUP = true;", "var UNIT_FILES_FOR_GROUP = false;");
        String unitFiles = "new Action('org.freedesktop.systemd1.manage-unit-files', {})";
        Path js = Files.writeString(dir.resolve("switch.js"), HARNESS + rule + "\n"
                + "print(decide(" + unitFiles + ", " + ENGINEER + "));\n"
                + "print(decide(" + unitFiles + ", " + AGENT + "));\n"
                + "print(decide(" + unitAction("epics-@myioc.service", "stop") + ", " + ENGINEER + "));\n");
        StagingRoot.Result r = StagingRoot.run(Map.of(), duk.get().toString(), js.toString());
        assertEquals(List.of("not_handled", "yes", "yes"), r.output().lines().toList(), r.output());
    }

    @Test
    void theRuleIsEcmaScript5AsPolkitsDuktapeRequires(@TempDir Path dir) throws IOException {
        Optional<Path> duk = StagingRoot.onPath("duk");
        TestBed.requireOrSkip(duk.isPresent(), "duk not found on PATH (Debian/Ubuntu: apt-get install duktape).");
        // The oracle rejects ES6, so a passing rule is not passing by accident.
        Path es6 = Files.writeString(dir.resolve("es6.js"), "let x = (a) => a;\n");
        assertEquals(1, StagingRoot.run(Map.of(), duk.get().toString(), es6.toString()).exitCode());
        Path rule = Files.writeString(dir.resolve("rule.js"), HARNESS + Files.readString(RULE) + "\nprint(polkit._ruleFuncs.length);\n");
        StagingRoot.Result r = StagingRoot.run(Map.of(), duk.get().toString(), rule.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("1", r.output().strip());
    }

    private static String unitAction(String unit, String verb) {
        return "new Action('" + MANAGE_UNITS + "', {unit: '" + unit + "', verb: '" + verb + "'})";
    }
}
