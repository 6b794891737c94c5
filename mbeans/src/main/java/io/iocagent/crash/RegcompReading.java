package io.iocagent.crash;

/**
 * One grep pattern as glibc's {@code re_compile_pattern} reads it with grep's {@code -E} syntax
 * ({@code RE_SYNTAX_EGREP}): decides validity for grep, and yields the Java form of what glibc's
 * matcher accepts.
 *
 * <p>grep compiles every pattern with glibc first and exits 2 on any error, so this reading is
 * the authority on what is rejected. It matters for matching only when grep's DFA defers to glibc
 * (back-references, collating symbols, equivalence classes). Where the two readings differ:
 * glibc skips a repetition operator (just the {@code *}, {@code +}, {@code ?} or the
 * <code>&#123;</code>) at the start of an expression or after an anchor, and then reads a {@code )} right
 * after a skipped operator as a literal; so {@code (*)} and {@code (^*)} are "Unmatched ( or \("
 * errors.
 */
final class RegcompReading {

    /** glibc RE_DUP_MAX. */
    static final int DUP_MAX = 0x7fff;

    private enum T {
        END, CHAR, PERIOD, BRACKET, OPEN, CLOSE, ALT, STAR, PLUS, QUESTION, OPEN_DUP, CLOSE_DUP,
        BACK_REF, ANCHOR, CLASS_ESCAPE, LONE_BACKSLASH
    }

    /** A token; {@code c} is the character, the back-reference number, or the escape letter. */
    private record Token(T type, int c, int start, int end) {
    }

    private final PatternText text;
    private final boolean ignoreCase;
    private final int groupOffset;

    private int pos;
    private Token tok;
    private int groups;
    private int completedGroups; // bit n-1 set once group n (n <= 9) is closed on this path

    private RegcompReading(PatternText text, boolean ignoreCase, int groupOffset) {
        this.text = text;
        this.ignoreCase = ignoreCase;
        this.groupOffset = groupOffset;
    }

    /**
     * @param java   glibc's reading; its capturing groups are the pattern's, shifted by the offset
     * @param groups how many capturing groups the pattern has
     */
    record Result(String java, int groups) {
    }

    /**
     * Reads one pattern.
     *
     * @param groupOffset capturing groups already emitted for earlier patterns (Java group numbers
     *                    of back-references are shifted by it)
     */
    static Result read(PatternText text, boolean ignoreCase, int groupOffset) throws EreSyntaxException {
        RegcompReading reading = new RegcompReading(text, ignoreCase, groupOffset);
        reading.next();
        String java = reading.alternation(0);
        // At nesting level 0 a ')' is a literal, so only the end can stop the top-level alternation.
        return new Result(java, reading.groups);
    }

    // ---- tokens (glibc peek_token, ERE syntax) ----------------------------------------------

    private void next() {
        tok = peek(pos);
        pos = tok.end;
    }

    private Token peek(int i) {
        int c = text.at(i);
        if (c < 0) {
            return new Token(T.END, 0, i, i);
        }
        if (c == '\\') {
            int c2 = text.at(i + 1);
            if (c2 < 0) {
                return new Token(T.LONE_BACKSLASH, c, i, i + 1);
            }
            T type = switch (c2) {
                case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> T.BACK_REF;
                case '<', '>', 'b', 'B', '`', '\'' -> T.ANCHOR;
                case 'w', 'W', 's', 'S' -> T.CLASS_ESCAPE;
                default -> T.CHAR; // \( \{ \| \+ \. \n ... are the character itself
            };
            return new Token(type, c2, i, i + 2);
        }
        T type = switch (c) {
            case '|' -> T.ALT;
            case '*' -> T.STAR;
            case '+' -> T.PLUS;
            case '?' -> T.QUESTION;
            case '{' -> T.OPEN_DUP;
            case '}' -> T.CLOSE_DUP;
            case '(' -> T.OPEN;
            case ')' -> T.CLOSE;
            case '[' -> T.BRACKET;
            case '.' -> T.PERIOD;
            case '^', '$' -> T.ANCHOR;
            default -> T.CHAR;
        };
        return new Token(type, c, i, i + 1);
    }

    private boolean endsBranch(int nest) {
        return tok.type == T.ALT || tok.type == T.END || (nest > 0 && tok.type == T.CLOSE);
    }

    // ---- grammar (glibc parse_reg_exp / parse_branch / parse_expression) ----------------------

    private String alternation(int nest) throws EreSyntaxException {
        int initial = completedGroups;
        StringBuilder out = new StringBuilder(branch(nest));
        while (tok.type == T.ALT) {
            next();
            out.append('|');
            if (!endsBranch(nest)) {
                // A back-reference may only name a group closed on its own alternative.
                int accumulated = completedGroups;
                completedGroups = initial;
                out.append(branch(nest));
                completedGroups |= accumulated;
            }
        }
        return out.toString();
    }

    private String branch(int nest) throws EreSyntaxException {
        StringBuilder out = new StringBuilder(expression(nest));
        while (!endsBranch(nest)) {
            out.append(expression(nest));
        }
        return out.toString();
    }

    private String expression(int nest) throws EreSyntaxException {
        String atom;
        boolean captures = false;
        switch (tok.type) {
            case CHAR, CLOSE, CLOSE_DUP -> { // ')' and '}' reach here only as literals
                atom = CharClass.escape(tok.c);
                next();
            }
            case PERIOD -> {
                atom = ".";
                next();
            }
            case BRACKET -> {
                BracketExpression bracket = BracketExpression.parse(text, tok.start, ignoreCase);
                atom = bracket.regexJava(ignoreCase);
                pos = bracket.end();
                next();
            }
            case OPEN -> {
                atom = group(nest + 1);
                captures = true;
            }
            case BACK_REF -> {
                int n = tok.c - '0';
                if ((completedGroups & (1 << (n - 1))) == 0) {
                    throw text.error(EreSyntaxException.BAD_BACK_REFERENCE, tok.start);
                }
                atom = "(?:\\" + (n + groupOffset) + ")";
                next();
            }
            case CLASS_ESCAPE -> {
                atom = JavaFragments.classEscape(tok.c);
                next();
            }
            case ANCHOR -> {
                // Anchors take no repetition: whatever follows starts a new expression.
                String anchor = JavaFragments.anchor(tok.c);
                next();
                return anchor;
            }
            case STAR, PLUS, QUESTION, OPEN_DUP -> {
                // RE_CONTEXT_INDEP_OPS: an operator with nothing to repeat is dropped (one token).
                next();
                return expression(nest);
            }
            case ALT, END -> {
                return "";
            }
            case LONE_BACKSLASH -> throw text.error(EreSyntaxException.TRAILING_BACKSLASH, tok.start);
            default -> throw new IllegalStateException("unhandled token " + tok);
        }
        while (true) {
            String repeat;
            switch (tok.type) {
                case STAR, PLUS, QUESTION -> {
                    repeat = String.valueOf((char) tok.c);
                    next();
                }
                case OPEN_DUP -> {
                    repeat = interval();
                    if (repeat == null) {
                        return atom; // not an interval: the '{' is now the current (literal) token
                    }
                }
                default -> {
                    return atom;
                }
            }
            // Java's optimised loops (Curly, GroupCurly) keep a capture made by an iteration they
            // later give back, so "(a)*\\1" would match "a". An alternative makes the body
            // non-deterministic, which selects the general loop that restores captures.
            atom = captures ? "(?:" + atom + "|(?!))" + repeat : "(?:" + atom + ")" + repeat;
        }
    }

    private String group(int nest) throws EreSyntaxException {
        int open = tok.start;
        int index = groups++;
        next();
        String inner = "";
        if (tok.type != T.CLOSE) {
            inner = alternation(nest);
            if (tok.type != T.CLOSE) {
                throw text.error(EreSyntaxException.UNMATCHED_PAREN, open);
            }
        }
        if (index < 9) {
            completedGroups |= 1 << index;
        }
        next();
        return "(" + inner + ")";
    }

    /**
     * glibc parse_dup_op for '{': returns the Java quantifier and leaves the token after '}'
     * current, or returns null after rolling back so that '{' is a literal character
     * (RE_INVALID_INTERVAL_ORD).
     */
    private String interval() throws EreSyntaxException {
        Token brace = tok;
        int min = number();
        if (min == -1) {
            if (isComma(tok)) {
                min = 0; // {,m}
            } else {
                throw text.error(EreSyntaxException.BAD_INTERVAL, brace.start); // {}
            }
        }
        int max = 0;
        if (min != -2) {
            max = tok.type == T.CLOSE_DUP ? min : isComma(tok) ? number() : -2;
        }
        if (min == -2 || max == -2) {
            pos = brace.end;
            tok = new Token(T.CHAR, '{', brace.start, brace.end);
            return null;
        }
        if ((max != -1 && min > max) || tok.type != T.CLOSE_DUP) {
            throw text.error(EreSyntaxException.BAD_INTERVAL, brace.start);
        }
        if ((max == -1 ? min : max) > DUP_MAX) {
            throw text.error(EreSyntaxException.TOO_BIG, brace.start);
        }
        next();
        return JavaFragments.interval(min, max);
    }

    /** glibc fetch_number: -1 for no digits, -2 for anything else before '}' / ',' / the end. */
    private int number() {
        int n = -1;
        while (true) {
            next();
            if (tok.type == T.END) {
                return -2;
            }
            if (tok.type == T.CLOSE_DUP || isComma(tok)) {
                return n;
            }
            boolean digit = tok.type == T.CHAR && tok.c >= '0' && tok.c <= '9';
            n = !digit || n == -2 ? -2 : n == -1 ? tok.c - '0' : Math.min(DUP_MAX + 1, n * 10 + tok.c - '0');
        }
    }

    /** A comma, escaped or not (glibc compares the token's character only). */
    private static boolean isComma(Token t) {
        return t.type == T.CHAR && t.c == ',';
    }
}
