package io.iocagent.crash;

/** Stand-in for the real crash pattern classifier (seed §4.6); replaced by the crash package's own version. */
public final class CrashPatterns {

    private CrashPatterns() {
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
