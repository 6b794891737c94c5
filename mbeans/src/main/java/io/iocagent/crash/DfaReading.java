package io.iocagent.crash;

/**
 * One grep pattern as grep's DFA matcher (gnulib {@code dfa.c}) reads it: the reading that decides
 * which lines match, plus the two refusals only the DFA makes.
 *
 * <p>Differences from {@link RegcompReading}, all observable with {@code grep -E}:
 * <ul>
 *   <li>a repetition operator with nothing before it repeats the empty string
 *       ({@code *a} is {@code a}); after an anchor it repeats the anchor ({@code ^*a} finds an
 *       {@code a} anywhere);</li>
 *   <li><code>&#123;</code> starts an interval only if the raw text is {@code {m}}, {@code {m,}},
 *       {@code {,n}}, {@code {m,n}} or {@code {,}} with m &lt;= n; otherwise it is a literal brace
 *       (an escaped comma does not count);</li>
 *   <li>an interval bound above 32767 is "regular expression too big" even where glibc skipped
 *       the operator ({@code ^{99999}});</li>
 *   <li>{@code [:alpha:]} and similar (a list that starts and ends with ':') is refused:
 *       "character class syntax is [[:space:]], not [:space:]".</li>
 * </ul>
 * A back-reference, or a bracket with a collating symbol or equivalence class, becomes "any text"
 * here: that is grep's superset DFA, the filter applied before glibc decides such lines. Whether
 * glibc is consulted at all is decided here too ({@link Result#defersToRegex()}): the DFA drops
 * an atom repeated {@code {0}}, and with it any back-reference inside.
 */
final class DfaReading {

    static final String TOO_BIG = "regular expression too big";

    private enum T { END, ATOM, LPAREN, RPAREN, OR, STAR, PLUS, QUESTION, REPEAT }

    private record Token(T type, String java, int start, boolean defers) {
    }

    /**
     * @param java          the DFA's reading, with back-references as "any text"
     * @param defersToRegex true when a back-reference survives, so grep lets glibc decide
     */
    record Result(String java, boolean defersToRegex) {
    }

    /** Java text of a parsed piece and whether it holds a back-reference-like atom. */
    private record Piece(String java, boolean defers) {
    }

    private final PatternText text;
    private final boolean ignoreCase;
    private int pos;
    private int parens;
    private Token tok;

    private DfaReading(PatternText text, boolean ignoreCase) {
        this.text = text;
        this.ignoreCase = ignoreCase;
    }

    /** The DFA's reading; call only for patterns glibc accepted. */
    static Result read(PatternText text, boolean ignoreCase) throws EreSyntaxException {
        DfaReading reading = new DfaReading(text, ignoreCase);
        reading.lex();
        Piece piece = reading.alternation();
        if (reading.tok.type != T.END) {
            throw new IllegalStateException("DFA reading stopped early in " + text.whole());
        }
        return new Result(piece.java, piece.defers);
    }

    private void lex() throws EreSyntaxException {
        int start = pos;
        int c = text.at(pos);
        if (c < 0) {
            tok = new Token(T.END, null, start, false);
            return;
        }
        pos++;
        if (c == '\\') {
            int e = text.at(pos++);
            if (e < 0) {
                throw text.error(EreSyntaxException.TRAILING_BACKSLASH, start);
            }
            tok = switch (e) {
                case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> new Token(T.ATOM, ".*", start, true);
                case '<', '>', 'b', 'B', '`', '\'' -> atom(JavaFragments.anchor(e), start);
                case 'w', 'W', 's', 'S' -> atom(JavaFragments.classEscape(e), start);
                default -> atom(CharClass.escape(e), start);
            };
            return;
        }
        tok = switch (c) {
            case '^', '$' -> atom(JavaFragments.anchor(c), start);
            case '|' -> new Token(T.OR, null, start, false);
            case '*' -> new Token(T.STAR, "*", start, false);
            case '+' -> new Token(T.PLUS, "+", start, false);
            case '?' -> new Token(T.QUESTION, "?", start, false);
            case '{' -> interval(start);
            case '(' -> {
                parens++;
                yield new Token(T.LPAREN, null, start, false);
            }
            case ')' -> {
                if (parens == 0) {
                    yield atom("\\)", start); // RE_UNMATCHED_RIGHT_PAREN_ORD
                }
                parens--;
                yield new Token(T.RPAREN, null, start, false);
            }
            case '.' -> atom(".", start);
            case '[' -> bracket(start);
            default -> atom(CharClass.escape(c), start);
        };
    }

    private static Token atom(String java, int start) {
        return new Token(T.ATOM, java, start, false);
    }

    private Token bracket(int start) throws EreSyntaxException {
        BracketExpression bracket = BracketExpression.parse(text, start, ignoreCase);
        pos = bracket.end();
        if (bracket.looksLikeMisplacedClass()) {
            throw text.error(EreSyntaxException.CLASS_OUTSIDE_BRACKETS, start);
        }
        if (bracket.needsRegexMatcher()) {
            return new Token(T.ATOM, ".*", start, true);
        }
        return atom(bracket.dfaJava(ignoreCase), start);
    }

    /** dfa.c lex() for '{': a raw scan, no escapes; RE_INVALID_INTERVAL_ORD makes misfits literal. */
    private Token interval(int start) throws EreSyntaxException {
        int p = pos;
        int min = -1;
        int max = -1;
        for (; isDigit(text.at(p)); p++) {
            min = min < 0 ? text.at(p) - '0' : Math.min(RegcompReading.DUP_MAX + 1, min * 10 + text.at(p) - '0');
        }
        if (text.at(p) >= 0) {
            if (text.at(p) != ',') {
                max = min;
            } else {
                if (min < 0) {
                    min = 0;
                }
                while (isDigit(text.at(++p))) {
                    max = max < 0 ? text.at(p) - '0' : Math.min(RegcompReading.DUP_MAX + 1, max * 10 + text.at(p) - '0');
                }
            }
        }
        boolean valid = text.at(p) == '}' && min >= 0 && (max < 0 || min <= max);
        if (!valid) {
            return atom(CharClass.escape('{'), start);
        }
        if (max > RegcompReading.DUP_MAX) {
            throw text.error(TOO_BIG, start);
        }
        pos = p + 1;
        // {0} and {0,0} carry max == 0; the parser drops the atom they apply to.
        return new Token(T.REPEAT, max == 0 ? null : JavaFragments.interval(min, max), start, false);
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    // ---- grammar (dfa.c regexp / branch / closure / atom) ------------------------------------

    private Piece alternation() throws EreSyntaxException {
        Piece first = branch();
        StringBuilder out = new StringBuilder(first.java);
        boolean defers = first.defers;
        while (tok.type == T.OR) {
            lex();
            Piece next = branch();
            out.append('|').append(next.java);
            defers |= next.defers;
        }
        return new Piece(out.toString(), defers);
    }

    private Piece branch() throws EreSyntaxException {
        Piece first = closure();
        StringBuilder out = new StringBuilder(first.java);
        boolean defers = first.defers;
        while (tok.type != T.RPAREN && tok.type != T.OR && tok.type != T.END) {
            Piece next = closure();
            out.append(next.java);
            defers |= next.defers;
        }
        return new Piece(out.toString(), defers);
    }

    private Piece closure() throws EreSyntaxException {
        String atom;
        boolean defers;
        boolean empty = false;
        if (tok.type == T.ATOM) {
            atom = tok.java;
            defers = tok.defers;
            lex();
        } else if (tok.type == T.LPAREN) {
            int open = tok.start;
            lex();
            Piece inner = alternation();
            if (tok.type != T.RPAREN) {
                throw text.error(EreSyntaxException.UNMATCHED_PAREN, open);
            }
            lex();
            atom = "(?:" + inner.java + ")";
            defers = inner.defers;
        } else {
            atom = ""; // dfa.c adds EMPTY without consuming the token
            defers = false;
            empty = true;
        }
        while (tok.type == T.STAR || tok.type == T.PLUS || tok.type == T.QUESTION || tok.type == T.REPEAT) {
            if (tok.type == T.REPEAT && tok.java == null) {
                atom = ""; // {0}: dfa.c deletes the atom's tokens, back-references included
                defers = false;
                empty = true;
            } else if (!empty) {
                atom = "(?:" + atom + ")" + tok.java;
            }
            lex();
        }
        return new Piece(atom, defers);
    }
}
