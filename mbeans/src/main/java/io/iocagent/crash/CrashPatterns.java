package io.iocagent.crash;

/** Stand-in for the real crash pattern classifier (seed §4.6); replaced by the crash package's own version. */
public final class CrashPatterns {

    public static final String READINESS_MARKER = "All initialization complete";
    public static final String DEATH_BANNER = "@@@ Child process is shutting down";
    private static final java.util.regex.Pattern FATAL = java.util.regex.Pattern.compile(
            "(^|[^A-Za-z0-9_])FATAL([^A-Za-z0-9_]|$)|Segmentation fault|undefined symbol|error while loading|Unbalanced quote",
            java.util.regex.Pattern.CASE_INSENSITIVE);
    private static final java.util.regex.Pattern AMBIGUOUS = java.util.regex.Pattern.compile(
            "ERROR|Can't open|cannot open|No such file or directory|Invalid directory path", java.util.regex.Pattern.CASE_INSENSITIVE);
    private static final java.util.regex.Pattern EXCLUDE = java.util.regex.Pattern.compile(
            "Permission denied \\([0-9]+\\) (loading|writing) '[^']*iocsh_history'");

    private CrashPatterns() {
    }

    public static boolean isExcluded(String line) {
        return EXCLUDE.matcher(line).find();
    }

    public static boolean isFatal(String line) {
        return FATAL.matcher(line).find();
    }

    public static boolean isCorroborating(String line, java.util.Optional<java.util.regex.Pattern> extra) {
        return isFatal(line) || AMBIGUOUS.matcher(line).find() || extra.map(p -> p.matcher(line).find()).orElse(false);
    }

    public static java.util.Optional<java.util.regex.Pattern> compileExtra(String v) {
        return java.util.Optional.of(java.util.regex.Pattern.compile(v, java.util.regex.Pattern.CASE_INSENSITIVE));
    }

    /** Classifies a trimmed CRASH_LOG_PATTERNS_EXTRA value. */
    public static ExtraPatternVerdict classifyExtra(String trimmedValue) {
        if (trimmedValue.contains("||")) {
            return ExtraPatternVerdict.EMPTY_ALTERNATION;
        }
        if (trimmedValue.contains("(") && !trimmedValue.contains(")")) {
            return ExtraPatternVerdict.INVALID_REGEX;
        }
        if (trimmedValue.equals(".")) {
            return ExtraPatternVerdict.MATCHES_ORDINARY_TEXT;
        }
        return ExtraPatternVerdict.USABLE;
    }
}
