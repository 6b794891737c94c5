package io.iocagent.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Compiles a POSIX extended regular expression exactly as GNU {@code grep -E} (3.8, C locale)
 * accepts and matches it, into a {@link Pattern}.
 *
 * <p>Why not hand the text to {@code Pattern.compile}: the seed's crash patterns and an operator's
 * {@code CRASH_LOG_PATTERNS_EXTRA} are ERE, judged by {@code grep -E}. Java reads several of them
 * differently ({@code [[:alnum:]]}, {@code [\]}, {@code a{,3}}, {@code \<}, a leading {@code *},
 * an unmatched {@code )}) and rejects or accepts a different set of texts.
 *
 * <p>How grep decides, and therefore how this class does: every pattern is first compiled by
 * glibc's regex compiler, whose errors make grep exit 2 ({@link RegcompReading}); grep's DFA then
 * compiles it too and adds two refusals of its own ({@link DfaReading}). Matching is the DFA's,
 * except that a pattern with a back-reference (or a {@code [.x.]}/{@code [=x=]} bracket) is
 * decided by glibc's matcher on the lines the DFA superset lets through; the compiled pattern
 * then requires both readings to match the line.
 *
 * <p>Contract of the returned pattern: {@code matcher(line).find()} is true exactly when
 * {@code grep -E} (with {@code -i} when {@code ignoreCase}) selects {@code line}, given without its
 * newline. Nothing in it matches a newline and its line anchors are newline-aware, so on lines
 * joined by {@code '\n'} (without a final newline) {@code find()} answers "does any line match"
 * ({@code grep -q}). Compiled with {@code UNIX_LINES}, plus {@code CASE_INSENSITIVE} (ASCII) for
 * {@code ignoreCase}.
 * Text is treated the C-locale way: classes, {@code \w} and case folding are ASCII only; any
 * other character is an ordinary character of no class. Like grep, a newline inside the pattern
 * separates independent patterns (any may match).
 *
 * <p>Not modelled: glibc's back-reference matcher misses some matches that exist when the
 * referenced group is itself repeated ({@code (a*)(ab|a){2}\2} does not select {@code aaa}); here
 * such a line matches. Also grep's memory limit for huge expansions such as
 * {@code (a{1000}){1000}}, NUL bytes, and the order in which grep reports several errors. Java's
 * matcher backtracks, so nested unbounded repetitions on long lines can be slow where grep's DFA
 * is linear (and {@code grep -Ei 'a{32767}'} is the slow one).
 *
 * <p>Thread-safe and stateless.
 */
public final class PosixEre {

    private static final int FLAGS = Pattern.UNIX_LINES;

    private PosixEre() {
    }

    /** {@link #compile(String, boolean)}, case-sensitive. */
    public static Pattern compile(String ere) throws EreSyntaxException {
        return compile(ere, false);
    }

    /**
     * Compiles {@code ere} with {@code grep -E} (or, when {@code ignoreCase}, {@code grep -Ei})
     * semantics.
     *
     * @throws EreSyntaxException when grep would exit 2 for this pattern
     */
    public static Pattern compile(String ere, boolean ignoreCase) throws EreSyntaxException {
        Objects.requireNonNull(ere, "ere");
        List<PatternText> texts = new ArrayList<>();
        int base = 0;
        for (String line : ere.split("\n", -1)) {
            texts.add(new PatternText(ere, line.codePoints().toArray(), base));
            base += line.codePointCount(0, line.length()) + 1;
        }
        // grep runs glibc's compiler over every pattern before its DFA sees any.
        List<String> regex = new ArrayList<>();
        int groups = 0;
        for (PatternText text : texts) {
            RegcompReading.Result reading = RegcompReading.read(text, ignoreCase, groups);
            regex.add(reading.java());
            groups += reading.groups();
        }
        List<String> dfa = new ArrayList<>();
        boolean defers = false;
        for (PatternText text : texts) {
            DfaReading.Result reading = DfaReading.read(text, ignoreCase);
            dfa.add(reading.java());
            defers |= reading.defersToRegex();
        }
        // One back-reference anywhere hands every pattern to glibc, behind the DFA superset.
        String java = defers
                ? JavaFragments.LINE_START + "(?=.*?" + alternatives(dfa) + ").*?" + alternatives(regex)
                : alternatives(dfa);
        try {
            return Pattern.compile(java, FLAGS | (ignoreCase ? Pattern.CASE_INSENSITIVE : 0));
        } catch (RuntimeException e) {
            throw new IllegalStateException("PosixEre translated '" + ere + "' into an invalid Java regex "
                    + java + " (this is a bug in PosixEre)", e);
        }
    }

    private static String alternatives(List<String> patterns) {
        StringBuilder out = new StringBuilder("(?:");
        for (int i = 0; i < patterns.size(); i++) {
            out.append(i == 0 ? "" : "|").append("(?:").append(patterns.get(i)).append(')');
        }
        return out.append(')').toString();
    }
}
