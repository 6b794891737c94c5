package io.iocagent.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.iocagent.conf.ValidationReport.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfValidatorTest {

    private static final Identity SERVICE = new Identity("ioc-srv", "ioc");

    @TempDir
    Path tmp;

    private Path chdir;
    private Path bin;
    private Map<String, String> conf;

    @BeforeEach
    void createIocBootAndPath() throws Exception {
        chdir = Files.createDirectories(tmp.resolve("iocBoot/iocx"));
        executable(chdir.resolve("st.cmd"));
        bin = Files.createDirectories(tmp.resolve("bin"));
        executable(bin.resolve("softIoc"));
        conf = new LinkedHashMap<>();
        conf.put("IOC_NAME", "iocx");
        conf.put("IOC_USER", "ioc-srv");
        conf.put("IOC_GROUP", "ioc");
        conf.put("IOC_CHDIR", chdir.toString());
        conf.put("IOC_PORT", "");
        conf.put("IOC_CMD", "./st.cmd");
    }

    private static Path executable(Path file) throws Exception {
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private ValidationReport validate(Mode mode, Identity expected) throws Exception {
        String text = conf.entrySet().stream()
                .map(e -> e.getKey() + "=\"" + e.getValue() + "\"\n")
                .collect(Collectors.joining());
        ValidationContext context = new ValidationContext(mode, expected, List.of(bin));
        return ConfValidator.validate(ConfFile.parse(text, "x.conf"), context);
    }

    private List<String> errors() throws Exception {
        return validate(Mode.SYSTEM, SERVICE).errors().stream().map(Problem::message).collect(Collectors.toList());
    }

    private Problem onlyProblem() throws Exception {
        List<Problem> problems = validate(Mode.SYSTEM, SERVICE).errors();
        assertEquals(1, problems.size(), problems::toString);
        return problems.get(0);
    }

    @Test
    void generatedStyleConfPasses() throws Exception {
        ValidationReport report = validate(Mode.SYSTEM, SERVICE);
        assertTrue(report.passed(), report::toString);
    }

    @Test
    void missingAndEmptyRequiredVariablesAreBothReportedWithTheIdentityRule() throws Exception {
        conf.remove("IOC_USER");
        conf.put("IOC_GROUP", "");
        assertEquals(List.of(
                "Required variable IOC_USER is missing or empty.",
                "Required variable IOC_GROUP is missing or empty.",
                "System IOCs must run as ioc-srv",
                "System IOCs must run under group ioc"), errors());
    }

    @Test
    void emptyChdirAndCmdAreReportedAsMissingAndAsInvalidDirectory() throws Exception {
        conf.put("IOC_CHDIR", "");
        conf.remove("IOC_CMD");
        assertEquals(List.of(
                "Required variable IOC_CHDIR is missing or empty.",
                "Required variable IOC_CMD is missing or empty.",
                "Invalid or missing directory: "), errors());
    }

    @ParameterizedTest
    @ValueSource(strings = {"IOC_USER", "IOC_GROUP", "IOC_PORT", "IOC_CMD"})
    void illegalCharactersInCriticalVariablesAreReported(String key) throws Exception {
        conf.put(key, conf.get(key) + "$x;y");
        assertTrue(errors().contains("Illegal characters detected in variable " + key), () -> key);
    }

    @Test
    void illegalCharactersInChdirAreReported() throws Exception {
        conf.put("IOC_CHDIR", chdir + "*");
        assertEquals(List.of(
                "Illegal characters detected in variable IOC_CHDIR",
                "Invalid or missing directory: " + chdir + "*"), errors());
    }

    @Test
    void standardPortPassesTheWhitelist() throws Exception {
        conf.put("IOC_PORT", "unix:ioc-srv:ioc:0660:/run/procserv/iocx/control");
        assertTrue(validate(Mode.SYSTEM, SERVICE).passed());
    }

    @Test
    void crashPatternOutsideTheWhitelistIsReported() throws Exception {
        conf.put("CRASH_LOG_PATTERNS_EXTRA", "[Ff]ault");
        assertEquals(List.of("Illegal characters in CRASH_LOG_PATTERNS_EXTRA."), errors());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
        "a||b    => Empty alternation in CRASH_LOG_PATTERNS_EXTRA (would match every log line).",
        "(abc    => Invalid regex syntax in CRASH_LOG_PATTERNS_EXTRA.",
        "' . '   => CRASH_LOG_PATTERNS_EXTRA matches ordinary log text (degenerate pattern such as '.').",
    })
    void crashPatternRejectedByTheClassifierIsReportedWithItsInstallError(String pattern, String message)
            throws Exception {
        conf.put("CRASH_LOG_PATTERNS_EXTRA", pattern);
        assertEquals(List.of(message), errors());
    }

    @ParameterizedTest
    @ValueSource(strings = {"asyn\\\\.error|MyDriver: (lost|timeout)", "   ", ""})
    void usableOrBlankCrashPatternPasses(String pattern) throws Exception {
        conf.put("CRASH_LOG_PATTERNS_EXTRA", pattern);
        assertEquals(List.of(), errors());
    }

    @Test
    void systemModeRequiresTheServiceAccount() throws Exception {
        conf.put("IOC_USER", "alice");
        conf.put("IOC_GROUP", "alice");
        assertEquals(List.of("System IOCs must run as ioc-srv", "System IOCs must run under group ioc"), errors());
    }

    @Test
    void localModeRequiresTheCallersIdentity() throws Exception {
        List<String> messages = validate(Mode.LOCAL, new Identity("alice", "staff")).errors().stream()
                .map(Problem::message).collect(Collectors.toList());
        assertEquals(List.of("Local IOCs must run as alice", "Local IOCs must run under group staff"), messages);
    }

    @Test
    void localModeAcceptsTheCallersIdentity() throws Exception {
        conf.put("IOC_USER", "alice");
        conf.put("IOC_GROUP", "staff");
        assertTrue(validate(Mode.LOCAL, new Identity("alice", "staff")).passed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"iocBoot/iocx", "..", "./iocx"})
    void relativeChdirIsReportedAloneEvenWhenTheCommandIsAlsoWrong(String relative) throws Exception {
        conf.put("IOC_CHDIR", relative);
        conf.put("IOC_CMD", "./missing.cmd");
        assertEquals(List.of("IOC_CHDIR must be an absolute path: " + relative), errors());
    }

    @Test
    void missingChdirIsReported() throws Exception {
        conf.put("IOC_CHDIR", tmp.resolve("nowhere").toString());
        assertEquals("Invalid or missing directory: " + tmp.resolve("nowhere"), onlyProblem().message());
    }

    @Test
    void chdirThatIsAFileIsReported() throws Exception {
        conf.put("IOC_CHDIR", chdir.resolve("st.cmd").toString());
        assertEquals("Invalid or missing directory: " + chdir.resolve("st.cmd"), onlyProblem().message());
    }

    @Test
    void untraversableChdirIsReported() throws Exception {
        Files.setPosixFilePermissions(chdir, PosixFilePermissions.fromString("rw-------"));
        try {
            assumeFalse(Files.isExecutable(chdir),
                    "running as root: root may search any directory, so this probe cannot fail");
            assertEquals("Execute permission denied for directory: " + chdir, onlyProblem().message());
        } finally {
            Files.setPosixFilePermissions(chdir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void commandWithArgumentsIsReportedWithTheLauncherHint() throws Exception {
        conf.put("IOC_CMD", "./st.cmd -v");
        assertEquals(new Problem("IOC_CMD must be a single word: './st.cmd -v'", List.of(
                "Hint: systemd expands ${IOC_CMD} as ONE argument; put arguments in a launcher script (e.g. st.cmd).")),
                onlyProblem());
    }

    @Test
    void nonExecutableScriptIsReportedWithBothSeedHints() throws Exception {
        Files.setPosixFilePermissions(chdir.resolve("st.cmd"), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(new Problem("Command not executable or not found: ./st.cmd", List.of(
                "Hint: Did you forget 'chmod +x ./st.cmd'?",
                "Hint: Is it a valid system command in your PATH?")), onlyProblem());
    }

    @Test
    void missingScriptIsReported() throws Exception {
        conf.put("IOC_CMD", "./absent.cmd");
        assertEquals("Command not executable or not found: ./absent.cmd", onlyProblem().message());
    }

    @Test
    void executableDirectoryIsNotACommand() throws Exception {
        Files.createDirectory(chdir.resolve("sub"));
        conf.put("IOC_CMD", "./sub");
        assertEquals("Command not executable or not found: ./sub", onlyProblem().message());
    }

    @Test
    void commandWithSlashIsResolvedAgainstChdirNotTheCallersDirectory() throws Exception {
        executable(Files.createDirectories(chdir.resolve("bin")).resolve("run"));
        conf.put("IOC_CMD", "bin/run");
        assertTrue(validate(Mode.SYSTEM, SERVICE).passed());
    }

    @Test
    void absoluteCommandIsAccepted() throws Exception {
        conf.put("IOC_CMD", bin.resolve("softIoc").toString());
        assertTrue(validate(Mode.SYSTEM, SERVICE).passed());
    }

    @Test
    void bareCommandIsFoundInTheSearchPath() throws Exception {
        conf.put("IOC_CMD", "softIoc");
        assertTrue(validate(Mode.SYSTEM, SERVICE).passed());
    }

    @Test
    void shellBuiltinIsNotACommand() throws Exception {
        conf.put("IOC_CMD", "echo");
        assertEquals("Command not executable or not found: echo", onlyProblem().message());
    }

    @Test
    void bareScriptNameThatOnlyExistsInChdirGetsTheDotSlashHint() throws Exception {
        conf.put("IOC_CMD", "st.cmd");
        assertEquals(new Problem("Command not executable or not found: st.cmd", List.of(
                "Hint: st.cmd exists in IOC_CHDIR, but a command without '/' is looked up in PATH only;"
                        + " write IOC_CMD=\"./st.cmd\".")), onlyProblem());
    }

    @Test
    void allFailuresAreCollectedInTheSeedsOrder() throws Exception {
        conf.put("IOC_USER", "bob");
        conf.put("IOC_PORT", "tcp;1");
        conf.put("CRASH_LOG_PATTERNS_EXTRA", "a||b");
        conf.put("IOC_CMD", "./absent.cmd");
        assertEquals(List.of(
                "Illegal characters detected in variable IOC_PORT",
                "Empty alternation in CRASH_LOG_PATTERNS_EXTRA (would match every log line).",
                "System IOCs must run as ioc-srv",
                "Command not executable or not found: ./absent.cmd"), errors());
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "/opt/../etc", "/opt/x/..", "a/../b", "/opt/x/../"})
    void dotDotComponentIsDetected(String chdir) {
        assertTrue(ConfValidator.hasDotDotComponent(chdir), chdir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/opt/..bar", "/opt/bar..", "/opt/.../x", "/opt/./x", "/opt/x"})
    void namesMerelyContainingDotsAreNotDotDotComponents(String chdir) {
        assertFalse(ConfValidator.hasDotDotComponent(chdir), chdir);
    }
}
