package io.iocagent.crash;

import java.util.BitSet;

/**
 * A set of characters with C-locale meaning, rendered as a {@code java.util.regex} class.
 *
 * <p>Membership is by code point. The POSIX classes are the C locale's (ASCII only); case folding
 * is ASCII only, like {@code toupper}/{@code tolower} in the C locale. The newline is never a
 * member of the rendered class, matching grep, which never lets anything match the line
 * terminator ({@code RE_HAT_LISTS_NOT_NEWLINE}).
 */
final class CharClass {

    private final BitSet members = new BitSet(128);

    /** The Java fragment for {@code \w}: [:alnum:] and underscore. */
    static final String WORD = "[0-9A-Z_a-z]";
    /** {@code \W}. */
    static final String NOT_WORD = "[^0-9A-Z_a-z\\n]";
    /** {@code \s}: [:space:] without the newline. */
    static final String SPACE = "[\\t\\x0B\\f\\r ]";
    /** {@code \S}. */
    static final String NOT_SPACE = "[^\\t-\\r ]";

    /** True when {@code name} is one of the twelve POSIX class names (case matters, as in grep). */
    static boolean isClassName(String name) {
        return switch (name) {
            case "alnum", "alpha", "digit", "space", "upper", "lower", "punct", "xdigit", "blank",
                    "cntrl", "graph", "print" -> true;
            default -> false;
        };
    }

    void add(int c) {
        members.set(c);
    }

    /** Adds {@code lo..hi} inclusive; nothing when {@code lo > hi}. */
    void addRange(int lo, int hi) {
        if (lo <= hi) {
            members.set(lo, hi + 1);
        }
    }

    /** Adds the members of a POSIX class in the C locale; {@code name} must satisfy {@link #isClassName}. */
    void addClass(String name) {
        for (int c = 0; c < 128; c++) {
            if (inClass(name, c)) {
                members.set(c);
            }
        }
    }

    /** Adds every member of {@code other} beyond ASCII. */
    void addNonAsciiOf(CharClass other) {
        for (int c = other.members.nextSetBit(128); c >= 0; c = other.members.nextSetBit(c + 1)) {
            members.set(c);
        }
    }

    boolean contains(int c) {
        return members.get(c);
    }

    /** Adds the other case of every ASCII letter already present. */
    void foldCase() {
        for (int c = 'a'; c <= 'z'; c++) {
            if (members.get(c) || members.get(c - 32)) {
                members.set(c);
                members.set(c - 32);
            }
        }
    }

    /**
     * The Java class. A positive set that would be empty renders as a never-matching
     * {@code (?!)}; a negated one matches everything outside the set except the newline.
     */
    String toJava(boolean negated) {
        BitSet shown = (BitSet) members.clone();
        shown.clear('\n');
        if (!negated && shown.isEmpty()) {
            return "(?!)";
        }
        StringBuilder out = new StringBuilder(negated ? "[^" : "[");
        for (int lo = shown.nextSetBit(0); lo >= 0; ) {
            int hi = shown.nextClearBit(lo) - 1;
            out.append(escape(lo));
            if (hi > lo) {
                out.append(hi > lo + 1 ? "-" : "").append(escape(hi));
            }
            lo = shown.nextSetBit(hi + 1);
        }
        if (negated) {
            out.append("\\n");
        }
        return out.append(']').toString();
    }

    /** A code point written so that it is literal both inside and outside a Java class. */
    static String escape(int c) {
        if (c < 128 && Character.isLetterOrDigit(c)) {
            return String.valueOf((char) c);
        }
        if (c > ' ' && c < 127) {
            return "\\" + (char) c;
        }
        return "\\x{" + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + "}";
    }

    private static boolean inClass(String name, int c) {
        boolean upper = c >= 'A' && c <= 'Z';
        boolean lower = c >= 'a' && c <= 'z';
        boolean digit = c >= '0' && c <= '9';
        boolean graph = c > ' ' && c < 127;
        return switch (name) {
            case "alnum" -> upper || lower || digit;
            case "alpha" -> upper || lower;
            case "digit" -> digit;
            case "space" -> c == ' ' || (c >= '\t' && c <= '\r');
            case "upper" -> upper;
            case "lower" -> lower;
            case "punct" -> graph && !(upper || lower || digit);
            case "xdigit" -> digit || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
            case "blank" -> c == ' ' || c == '\t';
            case "cntrl" -> c < ' ' || c == 127;
            case "graph" -> graph;
            case "print" -> graph || c == ' ';
            default -> throw new IllegalArgumentException("not a POSIX class: " + name);
        };
    }
}
