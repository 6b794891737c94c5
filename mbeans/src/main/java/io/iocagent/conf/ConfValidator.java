package io.iocagent.conf;

import io.iocagent.conf.ValidationReport.Problem;
import io.iocagent.crash.CrashPatterns;
import io.iocagent.crash.ExtraPatternVerdict;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The seed's {@code validate_conf} rules (steps 2 to 8 of seed §2.4), in its order and with its
 * messages; step 1, the syntax check, is {@link ConfFile}'s job. All failures are collected so the
 * user fixes them in one round.
 *
 * <p>Deliberate differences from the seed:
 * <ul>
 *   <li>{@code IOC_CMD} must be something procServ can {@code execvp}: a word containing {@code '/'}
 *       is resolved against {@code IOC_CHDIR} (or taken as is when absolute), a bare word only as an
 *       executable regular file in a {@linkplain ValidationContext#searchPath() PATH directory}. The
 *       seed also accepted shell builtins ({@code echo}), directories, and a bare word that only
 *       exists in {@code IOC_CHDIR}; none of them can be started by procServ.</li>
 *   <li>A {@code CRASH_LOG_PATTERNS_EXTRA} that is blank after trimming is treated as unset, as
 *       the runtime reader does (#122).</li>
 * </ul>
 */
public final class ConfValidator {

    private static final List<String> REQUIRED = List.of("IOC_USER", "IOC_GROUP", "IOC_CHDIR", "IOC_CMD");
    private static final List<String> WHITELISTED =
            List.of("IOC_USER", "IOC_GROUP", "IOC_CHDIR", "IOC_PORT", "IOC_CMD");
    private static final Pattern SAFE = Pattern.compile("[a-zA-Z0-9_./: -]+");
    private static final Pattern SAFE_PATTERN = Pattern.compile("[a-zA-Z0-9_./: |()\\\\-]+");
    private static final Pattern BLANK = Pattern.compile("[ \\t\\n\\u000B\\f\\r]");

    private ConfValidator() {
    }

    /** Applies every rule to {@code conf} and reports all failures. Reads the file system. */
    public static ValidationReport validate(ConfFile conf, ValidationContext context) {
        List<Problem> errors = new ArrayList<>();
        for (String key : REQUIRED) {
            if (value(conf, key).isEmpty()) {
                errors.add(problem("Required variable " + key + " is missing or empty."));
            }
        }
        for (String key : WHITELISTED) {
            String value = value(conf, key);
            if (!value.isEmpty() && !SAFE.matcher(value).matches()) {
                errors.add(problem("Illegal characters detected in variable " + key));
            }
        }
        extraPatternProblem(value(conf, "CRASH_LOG_PATTERNS_EXTRA")).ifPresent(errors::add);
        errors.addAll(identityProblems(conf, context));
        pathProblem(value(conf, "IOC_CHDIR"), value(conf, "IOC_CMD"), context.searchPath())
                .ifPresent(errors::add);
        return new ValidationReport(errors);
    }

    /**
     * True when {@code chdir} has a {@code ..} component ({@code ..}, {@code ../x}, {@code x/../y},
     * {@code x/..}; {@code ..bar} is an ordinary name). System install refuses such a directory
     * outright (#66): the unit would run the IOC somewhere other than the path the operator reviewed.
     */
    public static boolean hasDotDotComponent(String chdir) {
        return Arrays.asList(chdir.split("/")).contains("..");
    }

    private static Optional<Problem> extraPatternProblem(String raw) {
        String trimmed = raw.strip();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        if (!SAFE_PATTERN.matcher(raw).matches()) {
            return Optional.of(problem("Illegal characters in CRASH_LOG_PATTERNS_EXTRA."));
        }
        ExtraPatternVerdict verdict = CrashPatterns.classifyExtra(trimmed);
        return verdict == ExtraPatternVerdict.USABLE
                ? Optional.empty()
                : Optional.of(problem(verdict.installError()));
    }

    private static List<Problem> identityProblems(ConfFile conf, ValidationContext context) {
        String who = context.mode() == Mode.SYSTEM ? "System" : "Local";
        Identity expected = context.expected();
        List<Problem> problems = new ArrayList<>();
        if (!value(conf, "IOC_USER").equals(expected.user())) {
            problems.add(problem(who + " IOCs must run as " + expected.user()));
        }
        if (!value(conf, "IOC_GROUP").equals(expected.group())) {
            problems.add(problem(who + " IOCs must run under group " + expected.group()));
        }
        return problems;
    }

    /** Seed §2.4 step 7: only the first failing check is reported. */
    private static Optional<Problem> pathProblem(String chdir, String cmd, List<Path> searchPath) {
        if (!chdir.isEmpty() && !chdir.startsWith("/")) {
            return Optional.of(problem("IOC_CHDIR must be an absolute path: " + chdir));
        }
        Optional<Path> dir = pathOf(chdir).filter(Files::isDirectory);
        if (chdir.isEmpty() || dir.isEmpty()) {
            return Optional.of(problem("Invalid or missing directory: " + chdir));
        }
        if (!Files.isExecutable(dir.get())) {
            return Optional.of(problem("Execute permission denied for directory: " + chdir));
        }
        if (BLANK.matcher(cmd).find()) {
            return Optional.of(new Problem("IOC_CMD must be a single word: '" + cmd + "'", List.of("Hint: systemd"
                    + " expands ${IOC_CMD} as ONE argument; put arguments in a launcher script (e.g. st.cmd).")));
        }
        if (cmd.isEmpty() || isRunnable(cmd, dir.get(), searchPath)) {
            return Optional.empty();
        }
        String message = "Command not executable or not found: " + cmd;
        boolean onlyInChdir = !cmd.contains("/")
                && pathOf(cmd).map(dir.get()::resolve).filter(ConfValidator::isExecutableFile).isPresent();
        if (onlyInChdir) {
            return Optional.of(new Problem(message, List.of("Hint: " + cmd + " exists in IOC_CHDIR, but a"
                    + " command without '/' is looked up in PATH only; write IOC_CMD=\"./" + cmd + "\".")));
        }
        return Optional.of(new Problem(message, List.of(
                "Hint: Did you forget 'chmod +x " + cmd + "'?",
                "Hint: Is it a valid system command in your PATH?")));
    }

    /** Whether procServ, started in {@code chdir}, could execute {@code cmd}. */
    private static boolean isRunnable(String cmd, Path chdir, List<Path> searchPath) {
        Optional<Path> command = pathOf(cmd);
        if (command.isEmpty()) {
            return false;
        }
        if (cmd.contains("/")) {
            return isExecutableFile(chdir.resolve(command.get()));
        }
        return searchPath.stream()
                .map(directory -> directory.resolve(command.get()))
                .anyMatch(ConfValidator::isExecutableFile);
    }

    private static boolean isExecutableFile(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }

    /** The path {@code text} names, or empty when it cannot name one (e.g. it contains NUL). */
    private static Optional<Path> pathOf(String text) {
        try {
            return Optional.of(Path.of(text));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static String value(ConfFile conf, String key) {
        return conf.get(key).orElse("");
    }

    private static Problem problem(String message) {
        return new Problem(message, List.of());
    }
}
