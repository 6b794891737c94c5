package io.iocagent.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped polkit rule ({@code deploy/polkit/60-epics-ioc-agent.rules}) evaluated by Duktape —
 * the JavaScript engine polkitd 121+ embeds, ECMAScript 5 only — through a harness that decides
 * the way polkitd 122 does ({@code check_authorization_sync} in
 * {@code polkitbackendinteractiveauthority.c}): the rules are asked about the action; if they do
 * not answer YES, every action whose {@code org.freedesktop.policykit.imply} annotation names it
 * is asked about with the same details, one level deep, and a YES there authorises the request.
 * systemd's policy makes {@code manage-unit-files} imply {@code manage-units} and
 * {@code reload-daemon}, so a rule that answers YES to {@code manage-unit-files} authorises every
 * unit, every verb and transient units ({@code systemd-run -p User=root}): the harness sees that,
 * the rule function alone would not. Needs {@code duk} (Debian package {@code duktape}).
 */
class PolkitRuleIT {

    private static final Path RULE = StagingRoot.SOURCE_TOP.resolve("deploy/polkit/60-epics-ioc-agent.rules");
    private static final Path POLICY_DIR = Path.of("/usr/share/polkit-1/actions");

    private static final String MANAGE_UNITS = "org.freedesktop.systemd1.manage-units";
    private static final String MANAGE_UNIT_FILES = "org.freedesktop.systemd1.manage-unit-files";
    private static final String RELOAD_DAEMON = "org.freedesktop.systemd1.reload-daemon";

    /**
     * systemd 252's implication (src/core/org.freedesktop.systemd1.policy.in), pinned so the
     * harness holds on a machine without systemd's policy file; {@link #implications()} adds what the
     * installed policy files declare, and a test checks this pin against the installed file.
     */
    private static final Map<String, List<String>> SYSTEMD_IMPLIES = Map.of(MANAGE_UNIT_FILES, List.of(RELOAD_DAEMON, MANAGE_UNITS));

    /** Every action systemd 252's policy declares (the installed file may add newer ones). */
    private static final List<String> SYSTEMD_ACTIONS = List.of("org.freedesktop.systemd1.reply-password", MANAGE_UNITS,
            MANAGE_UNIT_FILES, "org.freedesktop.systemd1.set-environment", RELOAD_DAEMON,
            "org.freedesktop.systemd1.bypass-dump-ratelimit");

    private static final String HARNESS = """
            var polkit = {};
            polkit.Result = { NO: "no", YES: "yes", AUTH_SELF: "auth_self", AUTH_SELF_KEEP: "auth_self_keep",
                              AUTH_ADMIN: "auth_admin", AUTH_ADMIN_KEEP: "auth_admin_keep", NOT_HANDLED: null };
            polkit._ruleFuncs = [];
            polkit.addRule = function (f) { this._ruleFuncs.push(f); };
            polkit.addAdminRule = function (f) { };
            polkit.log = function (m) { print("log: " + m); };
            // polkit's prelude: details are stored as _detail_<key>; lookup of a missing key is undefined.
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
            function ask(id, details, subject) {
                for (var n = 0; n < polkit._ruleFuncs.length; n++) {
                    var r = polkit._ruleFuncs[n](new Action(id, details), subject);
                    if (r !== undefined && r !== null) { return r; }
                }
                return "not_handled";
            }
            // polkitd: the rules' answer, else YES when an action implying this one is YES (same details).
            function decide(id, details, subject) {
                var r = ask(id, details, subject);
                if (r === "yes") { return r; }
                for (var implying in IMPLIES) {
                    var implied = IMPLIES[implying];
                    for (var n = 0; n < implied.length; n++) {
                        if (implied[n] === id && ask(implying, details, subject) === "yes") { return "yes"; }
                    }
                }
                return r;
            }
            """;

    private record Subject(String label, String js, boolean trusted) {
    }

    private static final Subject ENGINEER = new Subject("engineer alice in group ioc", "new Subject('alice', ['alice', 'ioc'])", true);
    private static final Subject AGENT = new Subject("ioc-agent", "new Subject('ioc-agent', ['ioc-agent', 'ioc'])", true);
    private static final Subject AGENT_ALONE = new Subject("ioc-agent outside group ioc", "new Subject('ioc-agent', ['ioc-agent'])", true);
    private static final List<Subject> UNTRUSTED = List.of(
            new Subject("outsider bob (sudo, users)", "new Subject('bob', ['bob', 'users', 'sudo'])", false),
            new Subject("procServ account ioc-srv", "new Subject('ioc-srv', ['ioc'])", false),
            new Subject("procServ account ioc-srv with supplementary groups", "new Subject('ioc-srv', ['ioc', 'ioc-agent', 'users'])", false),
            new Subject("user named ioc outside the group", "new Subject('ioc', ['ioc-x'])", false));

    private static final String NAME64 = "a".repeat(64);
    private static final List<String> IOC_UNITS = List.of("epics-@myioc.service", "epics-@" + NAME64 + ".service", "epics-@_x-1.service");
    private static final List<String> OTHER_UNITS = List.of("systemd-journald.service", "sshd.service", "dbus.service",
            "run-u42.service", "epics-@.service", "epics-@-x.service", "epics-@" + NAME64 + "a.service", "epics-@bad..name.service",
            "epics-@my.ioc.service", "epics-@myioc.socket", "epics-@myioc.service.d", "xepics-@myioc.service",
            "epics-@my\\\\x2dioc.service", "epics-@myioc.service\\n", "epics-@a b.service", "epics-@../x.service",
            "ioc-agent.service", "multi-user.target", "");
    private static final List<String> ALLOWED_VERBS = List.of("start", "stop", "restart");
    /** Every verb systemd 252 sends with manage-units besides the allowed ones, and some that are not verbs. */
    private static final List<String> OTHER_VERBS = List.of("reload", "try-restart", "reload-or-restart", "reload-or-start",
            "reload-or-try-restart", "try-reload", "verify-active", "nop", "kill", "reset-failed", "set-property", "ref",
            "clean", "bind-mount", "mount-image", "freeze", "thaw", "enable", "Start", "start ", "", "constructor",
            "toString", "__proto__", "hasOwnProperty");

    private record Case(String action, Map<String, String> details, Subject subject, String expected) {
        String js() {
            String d = details.entrySet().stream().map(e -> "'" + e.getKey() + "': '" + e.getValue() + "'")
                    .collect(Collectors.joining(", ", "{", "}"));
            return "print(decide('" + action + "', " + d + ", " + subject.js() + "));";
        }

        String describe() {
            return action + " " + details + " by " + subject.label();
        }
    }

    @Test
    void groupIocAndTheAgentMayStartStopRestartIocUnitsAndReloadAndNothingElseEvenThroughImplication(@TempDir Path dir)
            throws IOException {
        Path duk = duk();
        Map<String, List<String>> implies = implications();
        List<Case> cases = new ArrayList<>();
        List<Subject> everyone = new ArrayList<>(List.of(ENGINEER, AGENT, AGENT_ALONE));
        everyone.addAll(UNTRUSTED);
        for (Subject s : everyone) {
            for (String action : actions()) {
                // The whole matrix for systemd's actions; the unit/verb pairs that matter for the others.
                List<Map<String, String>> detailSets = action.startsWith("org.freedesktop.systemd1.") ? detailSets()
                        : List.of(Map.of(), details("epics-@myioc.service", "start"), details("sshd.service", "kill"));
                for (Map<String, String> details : detailSets) {
                    cases.add(new Case(action, details, s, allowed(s, action, details) ? "yes" : "not_handled"));
                }
            }
        }
        List<String> answers = evaluate(duk, dir, Files.readString(RULE), implies, cases);
        List<String> wrong = new ArrayList<>();
        long granted = 0;
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            if (!c.expected().equals(answers.get(i))) {
                wrong.add(c.describe() + ": polkit would answer " + answers.get(i) + ", expected " + c.expected());
            }
            if ("yes".equals(c.expected())) {
                granted++;
            }
        }
        assertEquals(List.of(), wrong.stream().limit(20).toList(), wrong.size() + " of " + cases.size() + " decisions are wrong");
        // The oracle itself grants something: start/stop/restart of three IOC units + reload, for three subjects.
        assertTrue(granted >= 3 * (3 * 3 + 1), "only " + granted + " YES cases");
    }

    @Test
    void manageUnitFilesIsNeverYesForAnybody(@TempDir Path dir) throws IOException {
        Path duk = duk();
        List<Case> cases = new ArrayList<>();
        List<Subject> everyone = new ArrayList<>(List.of(ENGINEER, AGENT, AGENT_ALONE));
        everyone.addAll(UNTRUSTED);
        everyone.add(new Subject("root", "new Subject('root', ['root'])", false));
        for (Subject s : everyone) {
            for (Map<String, String> details : detailSets()) {
                cases.add(new Case(MANAGE_UNIT_FILES, details, s, "not_handled"));
            }
        }
        // The rule's own answer, without the implication step (no implications): no YES to the implying action itself.
        List<String> answers = evaluate(duk, dir, Files.readString(RULE), Map.of(), cases);
        for (int i = 0; i < cases.size(); i++) {
            assertEquals("not_handled", answers.get(i), "the rule answered " + answers.get(i) + " to " + cases.get(i).describe()
                    + ": a YES to manage-unit-files implies manage-units, i.e. root");
        }
    }

    @Test
    void theHarnessCatchesAManageUnitFilesGrantAsARootGrant(@TempDir Path dir) throws IOException {
        Path duk = duk();
        // The rule as it was: manage-units guarded by unit and verb, and manage-unit-files granted.
        String grant = Files.readString(RULE).replace("    if (action.id === \"org.freedesktop.systemd1.manage-units\") {",
                "    if (action.id === \"" + MANAGE_UNIT_FILES + "\") {\n        return polkit.Result.YES;\n    }\n"
                        + "    if (action.id === \"org.freedesktop.systemd1.manage-units\") {");
        assertTrue(grant.contains(MANAGE_UNIT_FILES + "\") {\n        return polkit.Result.YES;"), "the mutation did not apply");
        List<Case> cases = List.of(
                // systemd-run -p User=root: StartTransientUnit sends manage-units without details.
                new Case(MANAGE_UNITS, Map.of(), ENGINEER, "yes"),
                new Case(MANAGE_UNITS, details("systemd-journald.service", "restart"), ENGINEER, "yes"),
                new Case(MANAGE_UNITS, details("epics-@myioc.service", "set-property"), AGENT, "yes"),
                new Case(MANAGE_UNITS, details("epics-@myioc.service", "kill"), AGENT, "yes"));
        List<String> answers = evaluate(duk, dir, grant, implications(), cases);
        for (int i = 0; i < cases.size(); i++) {
            assertEquals("yes", answers.get(i), "the harness misses the implication for " + cases.get(i).describe());
        }
    }

    @Test
    void thePinnedImplicationIsWhatTheInstalledSystemdPolicyDeclares() throws IOException {
        Path policy = POLICY_DIR.resolve("org.freedesktop.systemd1.policy");
        TestBed.requireOrSkip(Files.isRegularFile(policy), policy + " not installed (Debian: package systemd).");
        Map<String, List<String>> declared = parseImplications(Files.readString(policy));
        assertEquals(SYSTEMD_IMPLIES.get(MANAGE_UNIT_FILES), declared.get(MANAGE_UNIT_FILES),
                "systemd's policy changed what manage-unit-files implies; re-check the rule and this harness");
        assertEquals(Set.of(MANAGE_UNIT_FILES), declared.keySet(),
                "another systemd action now implies something; add it to SYSTEMD_IMPLIES and re-check the rule");
    }

    @Test
    void theRuleIsEcmaScript5AsPolkitsDuktapeRequires(@TempDir Path dir) throws IOException {
        Path duk = duk();
        // The oracle rejects ES6, so a passing rule is not passing by accident.
        Path es6 = Files.writeString(dir.resolve("es6.js"), "let x = (a) => a;\n");
        assertEquals(1, StagingRoot.run(Map.of(), duk.toString(), es6.toString()).exitCode());
        Path rule = Files.writeString(dir.resolve("rule.js"), HARNESS + "var IMPLIES = {};\n" + Files.readString(RULE)
                + "\nprint(polkit._ruleFuncs.length);\n");
        StagingRoot.Result r = StagingRoot.run(Map.of(), duk.toString(), rule.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("1", r.output().strip());
    }

    /** YES exactly for: a trusted subject, and reload-daemon, or manage-units of an IOC unit with an allowed verb. */
    private static boolean allowed(Subject s, String action, Map<String, String> details) {
        if (!s.trusted()) {
            return false;
        }
        if (action.equals(RELOAD_DAEMON)) {
            return true;
        }
        if (!action.equals(MANAGE_UNITS)) {
            return false;
        }
        return IOC_UNITS.contains(details.getOrDefault("unit", "")) && ALLOWED_VERBS.contains(details.getOrDefault("verb", ""));
    }

    /** Every systemd action, and every action of the installed policy files (hostnamed, logind, ...). */
    private static Set<String> actions() throws IOException {
        Set<String> ids = new TreeSet<>(SYSTEMD_ACTIONS);
        ids.add("org.freedesktop.login1.reboot");
        ids.add("org.freedesktop.policykit.exec");
        if (Files.isDirectory(POLICY_DIR)) {
            try (Stream<Path> files = Files.list(POLICY_DIR)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".policy")).toList()) {
                    Matcher m = Pattern.compile("<action id=\"([^\"]+)\"").matcher(Files.readString(f));
                    while (m.find()) {
                        ids.add(m.group(1));
                    }
                }
            }
        }
        return ids;
    }

    /** Details as systemd sends them: unit and verb, either alone, none, and extra keys. */
    private static List<Map<String, String>> detailSets() {
        List<Map<String, String>> sets = new ArrayList<>(List.of(Map.of(), Map.of("verb", "start"),
                Map.of("unit", "epics-@myioc.service"),
                Map.of("unit", "epics-@myioc.service", "verb", "start", "polkit.message", "x", "polkit.gettext_domain", "systemd"),
                Map.of("unit", "sshd.service", "verb", "start", "polkit.message", "x")));
        List<String> units = new ArrayList<>(IOC_UNITS);
        units.addAll(OTHER_UNITS);
        List<String> verbs = new ArrayList<>(ALLOWED_VERBS);
        verbs.addAll(OTHER_VERBS);
        for (String unit : units) {
            for (String verb : verbs) {
                sets.add(details(unit, verb));
            }
        }
        return sets;
    }

    private static Map<String, String> details(String unit, String verb) {
        return Map.of("unit", unit, "verb", verb);
    }

    /** The pinned systemd implication plus every imply annotation of the installed policy files. */
    private static Map<String, List<String>> implications() throws IOException {
        Map<String, List<String>> all = new LinkedHashMap<>(SYSTEMD_IMPLIES);
        if (Files.isDirectory(POLICY_DIR)) {
            try (Stream<Path> files = Files.list(POLICY_DIR)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".policy")).toList()) {
                    parseImplications(Files.readString(f)).forEach(all::putIfAbsent);
                }
            }
        }
        return all;
    }

    /** action id -> the actions its {@code org.freedesktop.policykit.imply} annotation names. */
    private static Map<String, List<String>> parseImplications(String policyXml) {
        Map<String, List<String>> implies = new LinkedHashMap<>();
        Matcher action = Pattern.compile("(?s)<action id=\"([^\"]+)\">(.*?)</action>").matcher(policyXml);
        while (action.find()) {
            Matcher imply = Pattern.compile("<annotate key=\"org\\.freedesktop\\.policykit\\.imply\">([^<]*)</annotate>")
                    .matcher(action.group(2));
            if (imply.find()) {
                implies.put(action.group(1), List.of(imply.group(1).trim().split("\\s+")));
            }
        }
        return implies;
    }

    private static List<String> evaluate(Path duk, Path dir, String rule, Map<String, List<String>> implies, List<Case> cases)
            throws IOException {
        String table = implies.entrySet().stream()
                .map(e -> "'" + e.getKey() + "': [" + e.getValue().stream().map(v -> "'" + v + "'").collect(Collectors.joining(", ")) + "]")
                .collect(Collectors.joining(",\n    ", "var IMPLIES = {\n    ", "\n};\n"));
        StringBuilder script = new StringBuilder(HARNESS).append(table).append(rule).append('\n');
        cases.forEach(c -> script.append(c.js()).append('\n'));
        Path js = Files.writeString(dir.resolve("rule-cases-" + System.nanoTime() + ".js"), script);
        StagingRoot.Result r = StagingRoot.run(Map.of(), duk.toString(), js.toString());
        assertEquals(0, r.exitCode(), r.output());
        List<String> answers = r.output().lines().toList();
        assertEquals(cases.size(), answers.size(), "one answer per case expected; duk printed:\n"
                + answers.stream().limit(20).collect(Collectors.joining("\n")));
        return answers;
    }

    private static Path duk() {
        Optional<Path> duk = StagingRoot.onPath("duk");
        TestBed.requireOrSkip(duk.isPresent(), "duk not found on PATH (Debian/Ubuntu: apt-get install duktape).");
        return duk.get();
    }
}
