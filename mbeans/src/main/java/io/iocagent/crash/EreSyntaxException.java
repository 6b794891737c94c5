package io.iocagent.crash;

/**
 * A pattern that GNU {@code grep -E} refuses (it exits with status 2).
 *
 * <p>{@link #reason()} is grep's own wording (for example {@code Unmatched ( or \(}), so an operator
 * can reproduce the refusal with {@code grep -E}; the message adds the pattern and where the parser
 * gave up.
 */
public final class EreSyntaxException extends Exception {

    private static final long serialVersionUID = 1L;

    static final String BAD_PATTERN = "Invalid regular expression";
    static final String UNMATCHED_BRACKET = "Unmatched [, [^, [:, [., or [=";
    static final String BAD_CLASS_NAME = "Invalid character class name";
    static final String BAD_COLLATING_ELEMENT = "Invalid collation character";
    static final String BAD_RANGE_END = "Invalid range end";
    static final String TRAILING_BACKSLASH = "Trailing backslash";
    static final String BAD_BACK_REFERENCE = "Invalid back reference";
    static final String UNMATCHED_PAREN = "Unmatched ( or \\(";
    static final String BAD_INTERVAL = "Invalid content of \\{\\}";
    static final String TOO_BIG = "Regular expression too big";
    static final String CLASS_OUTSIDE_BRACKETS = "character class syntax is [[:space:]], not [:space:]";

    private final String pattern;
    private final String reason;
    private final int index;

    EreSyntaxException(String pattern, String reason, int index) {
        super("Invalid POSIX extended regular expression '" + pattern + "': " + reason
                + " (at character " + index + ").");
        this.pattern = pattern;
        this.reason = reason;
        this.index = index;
    }

    /** The rejected pattern, as given. */
    public String pattern() {
        return pattern;
    }

    /** GNU grep's description of the error, without pattern or position. */
    public String reason() {
        return reason;
    }

    /** Zero-based code-point index in {@link #pattern()} where the parser stopped. */
    public int index() {
        return index;
    }
}
