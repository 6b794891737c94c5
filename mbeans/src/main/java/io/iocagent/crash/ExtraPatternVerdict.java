package io.iocagent.crash;

/**
 * What {@link CrashPatterns#classifyExtra(String)} concluded about a
 * {@code CRASH_LOG_PATTERNS_EXTRA} value, with the seed's wording for both places that report it
 * (seed inventory §2.4 step 5 and §4.2 step 6; classifier in §4.6).
 */
public enum ExtraPatternVerdict {

    /** A valid, non-degenerate pattern: it joins the corroborating set. */
    USABLE(null, null),
    /** {@code grep -E} rejects it (exit 2). */
    INVALID_REGEX("Invalid regex syntax in CRASH_LOG_PATTERNS_EXTRA.",
            "is not a valid regular expression"),
    /** Contains an empty alternative ({@code ||}, a leading or trailing {@code |}, {@code (|}, {@code |)}). */
    EMPTY_ALTERNATION("Empty alternation in CRASH_LOG_PATTERNS_EXTRA (would match every log line).",
            "has an empty alternation and would match every log line"),
    /** Matches one of the canary lines, i.e. ordinary healthy log text. */
    MATCHES_ORDINARY_TEXT("CRASH_LOG_PATTERNS_EXTRA matches ordinary log text (degenerate pattern such as '.').",
            "matches ordinary log text");

    private final String installError;
    private final String runtimeReason;

    ExtraPatternVerdict(String installError, String runtimeReason) {
        this.installError = installError;
        this.runtimeReason = runtimeReason;
    }

    /**
     * The install-time validation error, without the seed's {@code "Error: "} prefix.
     *
     * @throws IllegalStateException for {@link #USABLE}, which is not an error
     */
    public String installError() {
        if (this == USABLE) {
            throw new IllegalStateException("A usable CRASH_LOG_PATTERNS_EXTRA has no install error.");
        }
        return installError;
    }

    /**
     * The reason inserted in the start/restart warning
     * {@code CRASH_LOG_PATTERNS_EXTRA in <conf> <reason>; ignoring it for this run ...}.
     *
     * @throws IllegalStateException for {@link #USABLE}, which is not ignored
     */
    public String runtimeReason() {
        if (this == USABLE) {
            throw new IllegalStateException("A usable CRASH_LOG_PATTERNS_EXTRA is not ignored.");
        }
        return runtimeReason;
    }
}
