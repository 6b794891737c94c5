package io.iocagent.crash;

import java.util.ArrayList;
import java.util.List;

/**
 * A bracket expression ({@code [...]}) parsed the way glibc's {@code parse_bracket_exp} does, with
 * the set of characters it denotes under each of grep's two matchers.
 *
 * <p>The two readings differ only with {@code -i}: glibc upper-cases the pattern and the subject
 * before comparing, so range end points are checked and applied in upper case ({@code [_-a]} is an
 * invalid range under {@code -i}, {@code [a-Z]} a valid one), while grep's DFA keeps the range as
 * written and adds the other case of each letter in it ({@code [a-Z]} is then empty). The DFA
 * reading is authoritative unless the expression contains a collating symbol {@code [.x.]} or an
 * equivalence class {@code [=x=]}, which the DFA hands to glibc ({@link #needsRegexMatcher()}).
 */
final class BracketExpression {

    private static final int NAME_LIMIT = 32; // glibc BRACKET_NAME_BUF_SIZE

    private enum Kind { CHAR, COLLATING, EQUIVALENCE, CLASS }

    private record Element(Kind kind, int ch, String name, int at, int end) {
        /** The character a CHAR or one-character COLLATING element stands for. */
        int value() {
            return kind == Kind.CHAR ? ch : name.codePointAt(0);
        }
    }

    private record Item(Element first, Element last) {
        boolean isRange() {
            return last != null;
        }
    }

    private final List<Item> items = new ArrayList<>();
    private boolean negated;
    private int end;

    private BracketExpression() {
    }

    /**
     * Parses the bracket expression whose {@code [} is at {@code open}.
     *
     * @throws EreSyntaxException with glibc's error, in glibc's order of detection
     */
    static BracketExpression parse(PatternText text, int open, boolean ignoreCase)
            throws EreSyntaxException {
        BracketExpression bracket = new BracketExpression();
        bracket.read(text, open + 1, ignoreCase);
        return bracket;
    }

    /** Index just past the closing {@code ]}. */
    int end() {
        return end;
    }

    /** True when grep's DFA cannot evaluate this expression and lets glibc decide each line. */
    boolean needsRegexMatcher() {
        for (Item item : items) {
            if (item.first.kind == Kind.COLLATING || item.first.kind == Kind.EQUIVALENCE
                    || (item.isRange() && item.last.kind == Kind.COLLATING)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True for shapes like {@code [:alpha:]} that grep's DFA refuses with "character class syntax
     * is [[:space:]], not [:space:]": the list starts and ends with a colon, has some other
     * character, and no range, class or symbol (dfa.c's {@code colon_warning_state == 7}).
     */
    boolean looksLikeMisplacedClass() {
        if (items.isEmpty() || items.get(0).isRange() || items.get(0).first.kind != Kind.CHAR
                || items.get(0).first.ch != ':') {
            return false;
        }
        boolean other = false;
        for (Item item : items) {
            if (item.isRange() || item.first.kind != Kind.CHAR) {
                return false;
            }
            other |= item.first.ch != ':';
        }
        Item last = items.get(items.size() - 1);
        return other && last.first.ch == ':';
    }

    /** The class as grep's DFA matches it. Only meaningful when {@link #needsRegexMatcher()} is false. */
    String dfaJava(boolean ignoreCase) {
        CharClass set = new CharClass();
        for (Item item : items) {
            Element first = item.first;
            if (item.isRange()) {
                set.addRange(first.value(), item.last.value());
            } else if (first.kind == Kind.CLASS) {
                set.addClass(ignoreCase && isCaseClass(first.name) ? "alpha" : first.name);
            } else {
                set.add(first.value());
            }
        }
        if (ignoreCase) {
            set.foldCase();
        }
        return set.toJava(negated);
    }

    /** The class as glibc's matcher reads it: under {@code -i}, c matches when toupper(c) is listed. */
    String regexJava(boolean ignoreCase) {
        CharClass listed = new CharClass();
        for (Item item : items) {
            Element first = item.first;
            if (item.isRange()) {
                listed.addRange(upper(first.value(), ignoreCase), upper(item.last.value(), ignoreCase));
            } else if (first.kind == Kind.CLASS) {
                listed.addClass(ignoreCase && isCaseClass(first.name) ? "alpha" : first.name);
            } else {
                listed.add(upper(first.value(), ignoreCase));
            }
        }
        if (!ignoreCase) {
            return listed.toJava(negated);
        }
        CharClass matched = new CharClass();
        for (int c = 0; c < 128; c++) {
            if (listed.contains(upper(c, true))) {
                matched.add(c);
            }
        }
        matched.addNonAsciiOf(listed); // toupper leaves them alone
        return matched.toJava(negated);
    }

    private static boolean isCaseClass(String name) {
        return name.equals("upper") || name.equals("lower");
    }

    private static int upper(int c, boolean ignoreCase) {
        return ignoreCase && c >= 'a' && c <= 'z' ? c - 32 : c;
    }

    // ---- parsing (glibc regcomp.c parse_bracket_exp, C locale) -------------------------------

    private enum Tok { END, CHAR, RANGE, CLOSE, NON_MATCH, OPEN_COLLATING, OPEN_EQUIVALENCE, OPEN_CLASS }

    private record BTok(Tok type, int ch, int len) {
    }

    private static BTok peek(PatternText text, int i) {
        int c = text.at(i);
        if (c < 0) {
            return new BTok(Tok.END, 0, 0);
        }
        if (c == '[') {
            switch (text.at(i + 1)) {
                case '.':
                    return new BTok(Tok.OPEN_COLLATING, '.', 2);
                case '=':
                    return new BTok(Tok.OPEN_EQUIVALENCE, '=', 2);
                case ':':
                    return new BTok(Tok.OPEN_CLASS, ':', 2);
                default:
                    return new BTok(Tok.CHAR, '[', 1);
            }
        }
        return switch (c) {
            case '-' -> new BTok(Tok.RANGE, c, 1);
            case ']' -> new BTok(Tok.CLOSE, c, 1);
            case '^' -> new BTok(Tok.NON_MATCH, c, 1);
            default -> new BTok(Tok.CHAR, c, 1);
        };
    }

    private void read(PatternText text, int start, boolean ignoreCase) throws EreSyntaxException {
        int i = start;
        BTok tok = peek(text, i);
        if (tok.type == Tok.END) {
            throw text.error(EreSyntaxException.BAD_PATTERN, i);
        }
        if (tok.type == Tok.NON_MATCH) {
            negated = true;
            i += tok.len;
            tok = peek(text, i);
            if (tok.type == Tok.END) {
                throw text.error(EreSyntaxException.BAD_PATTERN, i);
            }
        }
        if (tok.type == Tok.CLOSE) {
            tok = new BTok(Tok.CHAR, ']', 1); // a leading ']' is an ordinary character
        }
        boolean firstRound = true;
        while (true) {
            int elementAt = i;
            i += tok.len;
            Element first;
            if (isSymbolOpener(tok.type)) {
                first = symbol(text, tok, elementAt);
                i = first.end;
            } else {
                if (tok.type == Tok.RANGE && !firstRound && peek(text, i).type != Tok.CLOSE) {
                    // A '-' that is neither first, last, nor a range end point.
                    throw text.error(EreSyntaxException.BAD_RANGE_END, elementAt);
                }
                first = new Element(Kind.CHAR, tok.ch, null, elementAt, i);
            }
            firstRound = false;
            tok = peek(text, i);
            BTok rangeEnd = null;
            if (first.kind != Kind.CLASS && first.kind != Kind.EQUIVALENCE) {
                if (tok.type == Tok.END) {
                    throw text.error(EreSyntaxException.UNMATCHED_BRACKET, i);
                }
                if (tok.type == Tok.RANGE) {
                    BTok after = peek(text, i + 1);
                    if (after.type == Tok.END) {
                        throw text.error(EreSyntaxException.UNMATCHED_BRACKET, i + 1);
                    }
                    if (after.type == Tok.CLOSE) {
                        tok = new BTok(Tok.CHAR, '-', 1); // trailing '-' is ordinary
                    } else {
                        i += 1;
                        rangeEnd = after;
                    }
                }
            }
            if (rangeEnd != null) {
                int lastAt = i;
                i += rangeEnd.len;
                Element last;
                if (isSymbolOpener(rangeEnd.type)) {
                    last = symbol(text, rangeEnd, lastAt);
                    i = last.end;
                } else {
                    last = new Element(Kind.CHAR, rangeEnd.ch, null, lastAt, i);
                }
                tok = peek(text, i);
                checkRange(text, first, last, ignoreCase);
                items.add(new Item(first, last));
            } else {
                checkSingle(text, first);
                items.add(new Item(first, null));
            }
            if (tok.type == Tok.END) {
                throw text.error(EreSyntaxException.UNMATCHED_BRACKET, i);
            }
            if (tok.type == Tok.CLOSE) {
                end = i + 1;
                return;
            }
        }
    }

    private static boolean isSymbolOpener(Tok type) {
        return type == Tok.OPEN_COLLATING || type == Tok.OPEN_EQUIVALENCE || type == Tok.OPEN_CLASS;
    }

    /** Reads {@code [:name:]}, {@code [.name.]} or {@code [=name=]} (glibc parse_bracket_symbol). */
    private Element symbol(PatternText text, BTok opener, int at) throws EreSyntaxException {
        int i = at + 2;
        int delimiter = opener.ch;
        if (i >= text.length()) {
            throw text.error(EreSyntaxException.UNMATCHED_BRACKET, i);
        }
        StringBuilder name = new StringBuilder();
        for (int n = 0; ; n++) {
            if (n >= NAME_LIMIT) {
                throw text.error(EreSyntaxException.UNMATCHED_BRACKET, i);
            }
            int c = text.at(i++);
            if (i >= text.length()) {
                throw text.error(EreSyntaxException.UNMATCHED_BRACKET, i);
            }
            if (c == delimiter && text.at(i) == ']') {
                break;
            }
            name.appendCodePoint(c);
        }
        Kind kind = switch (opener.type) {
            case OPEN_COLLATING -> Kind.COLLATING;
            case OPEN_EQUIVALENCE -> Kind.EQUIVALENCE;
            default -> Kind.CLASS;
        };
        return new Element(kind, 0, name.toString(), at, i + 1);
    }

    private static void checkSingle(PatternText text, Element e) throws EreSyntaxException {
        if (e.kind == Kind.CLASS && !CharClass.isClassName(e.name)) {
            throw text.error(EreSyntaxException.BAD_CLASS_NAME, e.at);
        }
        if ((e.kind == Kind.COLLATING || e.kind == Kind.EQUIVALENCE)
                && e.name.codePointCount(0, e.name.length()) != 1) {
            // The C locale has no multi-character collating elements.
            throw text.error(EreSyntaxException.BAD_COLLATING_ELEMENT, e.at);
        }
    }

    /** glibc build_range_exp in the C locale; under -i the end points are compared upper-cased. */
    private static void checkRange(PatternText text, Element first, Element last, boolean ignoreCase)
            throws EreSyntaxException {
        for (Element e : List.of(first, last)) {
            if (e.kind == Kind.CLASS || e.kind == Kind.EQUIVALENCE) {
                throw text.error(EreSyntaxException.BAD_RANGE_END, last.at);
            }
        }
        for (Element e : List.of(first, last)) {
            if (e.kind == Kind.COLLATING && e.name.codePointCount(0, e.name.length()) != 1) {
                throw text.error(EreSyntaxException.BAD_COLLATING_ELEMENT, e.at);
            }
        }
        if (upper(first.value(), ignoreCase) > upper(last.value(), ignoreCase)) {
            throw text.error(EreSyntaxException.BAD_RANGE_END, last.at);
        }
    }
}
