package io.iocagent.crash;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The log tokens by which start/restart tells a healthy IOC from a failing one, exactly as
 * epics-ioc-runner 1.2.4 defines them (seed inventory §4.1), and the classifier for an operator's
 * {@code CRASH_LOG_PATTERNS_EXTRA} (§4.6).
 *
 * <p>All crash-token matching is case-insensitive ({@code grep -Ei}); the exclusion filter is
 * case-sensitive. Every pattern is a POSIX ERE compiled by {@link PosixEre}, so a line matches here
 * exactly when it matched in the seed. Lines are given without their newline.
 *
 * <p>The fatal subset fails a start before the readiness marker; the whole set (plus a usable
 * EXTRA) only turns a successful start into a warning after it. Lines matching the exclusion
 * filter take part in neither (§4.4 step 4).
 *
 * <p>Thread-safe: only immutable constants and pure functions.
 */
public final class CrashPatterns {

    /** Readiness marker, searched as a fixed string (iocInit prints it). */
    public static final String READINESS_MARKER = "All initialization complete";

    /** procServ's death banner, searched as a fixed string and counted per line. */
    public static final String DEATH_BANNER = "@@@ Child process is shutting down";

    /**
     * Ordinary healthy log lines: an EXTRA pattern that matches either is degenerate. The second
     * line carries upper case, digits, dots, slashes, colons and a timestamp so that shapes like
     * {@code .}, {@code [0-9]} or {@code ORDINARY HEALTHY} are caught.
     */
    public static final List<String> CANARY_LINES = List.of(
            "ioc-runner canary: ordinary healthy log line 0123456789",
            "IOC-Runner Canary 2: EPICS 7.0 iocBoot/st.cmd loaded OK 2026-07-07 01:02:03.456");

    /**
     * Tokens that fail a start before iocInit. {@code FATAL} must be bounded by a non-identifier
     * character or a line edge, so {@code device_nonfatal=ready} and {@code fatalFlag=ready} are
     * benign (seed issue #114).
     */
    public static final String FATAL_ERE = "(^|[^[:alnum:]_])FATAL([^[:alnum:]_]|$)"
            + "|Segmentation fault|undefined symbol|error while loading|Unbalanced quote";

    /** Tokens that only corroborate trouble (never fail a start on their own). */
    public static final String AMBIGUOUS_ERE =
            "ERROR|Can't open|cannot open|No such file or directory|Invalid directory path";

    /** The whole set, composed from the two subsets exactly as the seed does (pinned by its tests). */
    public static final String CRASH_ERE = "(" + FATAL_ERE + "|" + AMBIGUOUS_ERE + ")";

    /**
     * Line filter, case-sensitive: EPICS's iocsh history load/save complaint
     * ({@code ERROR Permission denied (13) loading '.../.iocsh_history'}, seed issue #92). EPICS wraps
     * it in ANSI colour codes, so it is anchored on the escape-free text and has no {@code $}.
     */
    public static final String EXCLUDE_ERE =
            "Permission denied \\([0-9]+\\) (loading|writing) '[^']*iocsh_history'";

    private static final Pattern FATAL = constant(FATAL_ERE, true);
    private static final Pattern CRASH = constant(CRASH_ERE, true);
    private static final Pattern EXCLUDE = constant(EXCLUDE_ERE, false);

    private CrashPatterns() {
    }

    /** True when {@code line} is filtered out before any crash-token check. */
    public static boolean isExcluded(String line) {
        return EXCLUDE.matcher(line).find();
    }

    /** True when {@code line} is not excluded and carries a fatal-subset token. */
    public static boolean isFatal(String line) {
        return !isExcluded(line) && FATAL.matcher(line).find();
    }

    /**
     * True when {@code line} is not excluded and carries any crash token, or matches {@code extra}
     * (a pattern from {@link #compileExtra(String)}).
     */
    public static boolean isCorroborating(String line, Optional<Pattern> extra) {
        Objects.requireNonNull(extra, "extra");
        return !isExcluded(line)
                && (CRASH.matcher(line).find() || extra.map(p -> p.matcher(line).find()).orElse(false));
    }

    /**
     * Classifies a whitespace-trimmed {@code CRASH_LOG_PATTERNS_EXTRA} value, checking in the seed's
     * order: regex validity, empty alternation (a textual check, so an escaped {@code a\|} is also
     * refused, as in the seed), then a case-insensitive match against either {@link #CANARY_LINES}
     * line. Callers do not classify an empty value (an absent EXTRA); it would come out as
     * {@link ExtraPatternVerdict#MATCHES_ORDINARY_TEXT}.
     *
     * <p>The seed checks validity with {@code grep -E} but matches with {@code grep -Ei}. A pattern
     * valid in only one of the two (only a bracket range whose ends differ in case, such as
     * {@code [_-a]}, can be) is {@link ExtraPatternVerdict#INVALID_REGEX} here, because it could not
     * be applied the way the seed applies it. The install whitelist excludes brackets anyway.
     */
    public static ExtraPatternVerdict classifyExtra(String trimmedValue) {
        Objects.requireNonNull(trimmedValue, "trimmedValue");
        Pattern pattern;
        try {
            PosixEre.compile(trimmedValue, false);
            pattern = PosixEre.compile(trimmedValue, true);
        } catch (EreSyntaxException e) {
            return ExtraPatternVerdict.INVALID_REGEX;
        }
        if (trimmedValue.contains("||") || trimmedValue.startsWith("|") || trimmedValue.endsWith("|")
                || trimmedValue.contains("(|") || trimmedValue.contains("|)")) {
            return ExtraPatternVerdict.EMPTY_ALTERNATION;
        }
        for (String canary : CANARY_LINES) {
            if (pattern.matcher(canary).find()) {
                return ExtraPatternVerdict.MATCHES_ORDINARY_TEXT;
            }
        }
        return ExtraPatternVerdict.USABLE;
    }

    /**
     * The case-insensitive pattern for a whitespace-trimmed EXTRA value, or empty unless
     * {@link #classifyExtra(String)} finds it {@link ExtraPatternVerdict#USABLE}. EXTRA is matched
     * on its own rather than spliced into {@link #CRASH_ERE} as the seed does; splicing renumbers
     * groups, so a back-reference in EXTRA made the seed's combined grep fail and silently
     * disabled every corroborating token.
     */
    public static Optional<Pattern> compileExtra(String trimmedValue) {
        if (classifyExtra(trimmedValue) != ExtraPatternVerdict.USABLE) {
            return Optional.empty();
        }
        try {
            return Optional.of(PosixEre.compile(trimmedValue, true));
        } catch (EreSyntaxException e) {
            throw new IllegalStateException("classified usable but does not compile: " + trimmedValue, e);
        }
    }

    private static Pattern constant(String ere, boolean ignoreCase) {
        try {
            return PosixEre.compile(ere, ignoreCase);
        } catch (EreSyntaxException e) {
            throw new IllegalStateException("built-in crash pattern is not a valid ERE: " + ere, e);
        }
    }
}
