package io.iocagent.crash;

/**
 * The {@code java.util.regex} text for ERE constructs whose meaning is the same in both of grep's
 * readings. Patterns are compiled with {@code UNIX_LINES}, so {@code .} is anything but the
 * newline; line edges are written as lookaround on the newline (Java's own {@code ^} in
 * {@code MULTILINE} mode never matches at the end of the input, so it would miss an empty line);
 * a word boundary at a line edge sees a non-word character there, as grep does.
 */
final class JavaFragments {

    /** Start of a line: at the start of the text or after a newline. */
    static final String LINE_START = "(?<![^\\n])";
    /** End of a line: at the end of the text or before a newline. */
    static final String LINE_END = "(?![^\\n])";

    private static final String W = "[0-9A-Z_a-z]";
    private static final String WORD_START = "(?<!" + W + ")(?=" + W + ")";
    private static final String WORD_END = "(?<=" + W + ")(?!" + W + ")";

    private JavaFragments() {
    }

    /**
     * {@code ^ $} and GNU's {@code \< \> \b \B \` \'}, given the character after the backslash
     * (or the anchor itself). Word boundaries are spelled out with ASCII lookaround because
     * Java 17's {@code \b} counts non-ASCII letters as word characters. grep applies
     * {@code \`} and {@code \'} (buffer start/end) to each line on its own, so they are line edges.
     */
    static String anchor(int c) {
        return switch (c) {
            case '^', '`' -> LINE_START;
            case '$', '\'' -> LINE_END;
            case '<' -> WORD_START;
            case '>' -> WORD_END;
            case 'b' -> "(?:" + WORD_START + "|" + WORD_END + ")";
            case 'B' -> "(?:(?<=" + W + ")(?=" + W + ")|(?<!" + W + ")(?!" + W + "))";
            default -> throw new IllegalArgumentException("not an anchor: " + (char) c);
        };
    }

    /** GNU {@code \w \W \s \S} in the C locale. */
    static String classEscape(int c) {
        return switch (c) {
            case 'w' -> CharClass.WORD;
            case 'W' -> CharClass.NOT_WORD;
            case 's' -> CharClass.SPACE;
            case 'S' -> CharClass.NOT_SPACE;
            default -> throw new IllegalArgumentException("not a class escape: " + (char) c);
        };
    }

    /** {@code {min,max}} with -1 for an open upper bound. */
    static String interval(int min, int max) {
        if (max < 0) {
            return "{" + min + ",}";
        }
        return min == max ? "{" + min + "}" : "{" + min + "," + max + "}";
    }
}
