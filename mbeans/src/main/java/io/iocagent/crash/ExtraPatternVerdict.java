package io.iocagent.crash;

/**
 * Stand-in for the real verdict of the CRASH_LOG_PATTERNS_EXTRA classifier (seed §4.6); replaced
 * by the crash package's own version.
 */
public enum ExtraPatternVerdict {
    USABLE("", ""),
    INVALID_REGEX("Invalid regex syntax in CRASH_LOG_PATTERNS_EXTRA.",
            "is not a valid regular expression"),
    EMPTY_ALTERNATION("Empty alternation in CRASH_LOG_PATTERNS_EXTRA (would match every log line).",
            "has an empty alternative (would match every log line)"),
    MATCHES_ORDINARY_TEXT(
            "CRASH_LOG_PATTERNS_EXTRA matches ordinary log text (degenerate pattern such as '.').",
            "matches ordinary log text");

    private final String installError;
    private final String runtimeReason;

    ExtraPatternVerdict(String installError, String runtimeReason) {
        this.installError = installError;
        this.runtimeReason = runtimeReason;
    }

    /** Install-time error text, without the "Error: " prefix. */
    public String installError() {
        return installError;
    }

    /** Runtime reason, completing "CRASH_LOG_PATTERNS_EXTRA ...". */
    public String runtimeReason() {
        return runtimeReason;
    }
}
