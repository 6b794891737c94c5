package io.iocagent.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the real GNU {@code grep -E} and {@code grep -Ei} (C locale) over a corpus of patterns and
 * subject lines and requires {@link PosixEre} to agree on every pattern: same refusal (with grep's
 * reason) or the same set of matching lines.
 *
 * <p>grep is part of every Debian base system; when it is missing the test fails instead of
 * skipping, because this is the only proof that the translation holds.
 */
class PosixEreGrepParityTest {

    private static final Path GREP = Path.of("/usr/bin/grep");

    /** Subject lines: case, word edges, every ERE metacharacter, crash-log shapes. No newlines. */
    private static final List<String> SUBJECTS = List.of(
            "",
            "a", "b", "A", "B", "aa", "aA", "ab", "abab", "ba", "xx", "Aa",
            "_", "-", "a-b", "a_b", "foo bar", "foobar", "foo_bar", " ", "a\tb", "tab\there",
            "*", "+", "?", "|", "(", ")", "()", "{", "}", "{}", "a{", "a{1}", "a{1,2}", "a{x}", "{1}a",
            "2,1}", "{,}", "[", "]", "[]a", "^", "$", "\\", "a\\b", ".", "a.b", "aXb", "1", "12", ",", "0",
            ":", "=", "a:b:", "z", "Z", "`", "'", "\"", "%", "~",
            "FATAL: x", "fatal error", "xx FATAL", "device_nonfatal=ready", "fatalFlag=ready",
            "Segmentation fault", "ERROR Permission denied (13) loading '/x/.iocsh_history'",
            "Can't open file", "No such file or directory",
            "ioc-runner canary: ordinary healthy log line 0123456789",
            "IOC-Runner Canary 2: EPICS 7.0 iocBoot/st.cmd loaded OK 2026-07-07 01:02:03.456");

    /** Hand-picked patterns, one or more per ERE feature and per GNU oddity found while probing. */
    private static final List<String> CORPUS = List.of(
            // literals, dot, anchors anywhere
            "a", "ab", "A", "foo bar", ".", "a.b", "^a", "a$", "^$", "^", "$", "a^b", "a$b", "x|^a", "a$|x",
            "(^a)", "(a$)", "^^a", "a$$", "^*a", "a$*", "^+", "$*",
            // alternation, empty alternatives and groups
            "a|b", "|", "||", "a||b", "|a", "a|", "(|a)", "(a|)", "(|)", "()", "()*", "(a)(b)", "((a|b)x)?",
            // quantifiers, stacked quantifiers, leading operators
            "a*", "a+", "a?", "ab*", "(ab)+", "a**", "a+*", "a*?", "a?+", "*a", "+a", "?a", "**a", "a|*b", "(*a)",
            "*)", "(*)", "(a|*)", "(^*)", "($*)", "(+)",
            // intervals, valid and not
            "a{2}", "a{1,}", "a{,1}", "a{1,2}", "a{,}", "a{0}", "a{0,0}", "a{2}{3}", "a*{2}", "{1}a", "({1}a)",
            "a{", "a{1", "a{1,", "a{1,2", "a{x}", "a{1,x}", "a{ 1}", "a{-1}", "a}", "{", "{}", "{,", "{2,1}",
            "a{}", "a{2,1}", "a{1,2,3}", "a{,,}", "a{1\\,2}", "a{1\\,2,3}", "x{1000}", "a{32768}", "a{,32768}",
            "a{99999,x}", "^{99999}", "{1,99999}a", "^{32768,}", "(){32768}",
            // brackets
            "[a]", "[ab]", "[^a]", "[]a]", "[^]a]", "[a-]", "[-a]", "[--/]", "[!--]", "[]-a]", "[a-z]", "[A-Z]",
            "[A-z]", "[Z-a]", "[a-Z]", "[_-a]", "[A-_]", "[z-a]", "[a-a]", "[a-z-9]", "[a-c-e]", "[a-b-]", "[\\]",
            "[\\n]", "[[]", "[a[]", "[.]", "[=]", "[:]", "[::]", "[:a]", "[^^]", "[a^]",
            "[[:alpha:]]", "[[:alnum:]_]", "[^[:alnum:]_]", "[[:digit:]]", "[[:space:]]", "[[:upper:]]",
            "[^[:upper:]]", "[[:lower:]]", "[[:punct:]]", "[[:xdigit:]]", "[[:blank:]]", "[[:cntrl:]]",
            "[[:graph:]]", "[[:print:]]", "[[:alpha:][:digit:]]", "[[:alpha:]-]", "[:[:alpha:]:]",
            "[[.a.]]", "[[.-.]]", "[[.].]]", "[[=a=]]", "[[=]=]]", "[[.a.]-z]", "[a-[.z.]]", "[[.-.]-z]",
            "[^[.a.]]", "[A-z[.q.]]", "[a-Z[.q.]]", "[A-z]|[[.q.]]", "{2,}[[=b=]]{0}",
            "[", "[^", "[a", "[]", "[^]", "[a-", "[[:alpha:]", "[[:foo:]]", "[[:ALPHA:]]", "[[:foo:]",
            "[:alpha:]", "[^:a:]", "[:a-b:]", "[[.space.]]", "[[.ab.]]", "[[=ab=]]", "[[..]]", "[[:alpha:]-z]",
            "[a-[:alpha:]]", "[[=a=]-z]", "[[..]-a]", "a[]",
            // back-references
            "(a)\\1", "(.)\\1", "(a|b)\\1", "([ab])\\1", "()\\1", "(a)*\\1", "(a)\\10", "((a)\\2)", "\\1",
            "(a)\\2", "(a\\1)", "\\1(a)", "(a)|\\1", "(a)|b\\1", "((a)|b)\\2", "(a)\\1|x", "(a)\\1|{1}x",
            "^*(a)\\1", "a{1\\,2}(b)\\1", "[A-z]|(b)\\1",
            // GNU escapes and escaped ordinary characters
            "\\w", "\\W", "\\s", "\\S", "\\w+", "\\bfoo\\b", "o\\b", "\\B", "\\Bo", "\\<bar", "foo\\>", "\\<\\>",
            "^\\B$", "\\`foo", "bar\\'", "a\\'b", "\\`", "\\'", "\\b*", "\\(", "\\)", "\\{", "\\}", "\\.", "\\*",
            "\\+", "\\?", "\\|", "\\^", "\\$", "\\[", "\\]", "\\\\", "\\n", "\\t", "\\d", "\\0", "\\a", "\\-",
            "\\:", "\\", "a\\", "(", "a(", "(a", ")", "a)", "(a))", "())", ")(", "(()",
            // the seed's own patterns and EXTRA shapes
            CrashPatterns.FATAL_ERE, CrashPatterns.AMBIGUOUS_ERE, CrashPatterns.CRASH_ERE, CrashPatterns.EXCLUDE_ERE,
            "ioc-runner", "healthy log line", "ORDINARY HEALTHY", "motor timeout|axis fault", "(abc",
            "a\\|", "\\(|x", "Can't open|cannot open",
            // a newline separates patterns; one back-reference hands all of them to glibc
            "a\nb", "a\n", "(x)\n(y)\\1", "{1}x\n(b)\\1", "(a)\n(");

    @TempDir
    static Path dir;

    private static Path subjects;

    @BeforeAll
    static void requireGnuGrep() throws Exception {
        assertTrue(Files.isExecutable(GREP),
                "The grep parity test needs GNU grep at " + GREP + " (Debian package 'grep'); install it, "
                        + "this test must not be skipped.");
        Process version = new ProcessBuilder(GREP.toString(), "--version").redirectErrorStream(true).start();
        String banner = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(version.waitFor(10, TimeUnit.SECONDS) && banner.startsWith("grep (GNU grep)"),
                GREP + " is not GNU grep; the parity test pins GNU semantics. It said: " + banner);
        subjects = dir.resolve("subjects.txt");
        Files.writeString(subjects, String.join("\n", SUBJECTS) + "\n", StandardCharsets.US_ASCII);
    }

    static Stream<Arguments> corpus() {
        return withBothCases(CORPUS);
    }

    /**
     * Patterns glued from fragments by a fixed-seed generator: they hit combinations nobody would
     * write by hand (a skipped operator before a bracket, an interval after an anchor, ...).
     */
    static Stream<Arguments> generated() {
        String[] fragments = {
            "a", "b", "A", "x", "_", "-", ".", "*", "+", "?", "|", "(", ")", "{", "}", "[", "]", "^", "$", "1", ",",
            ":", "(a)", "(a|b)", "()", "\\1", "\\2", "\\w", "\\W", "\\s", "\\b", "\\B", "\\<", "\\>", "\\`", "\\'",
            "\\", "\\.", "\\(", "\\{", "[[:alpha:]]", "[[:upper:]]", "[a-z]", "[^a]", "[]a]", "[A-z]", "[a-Z]",
            "[_-a]", "[[.a.]]", "[[=b=]]", "[:a:]", "{1}", "{,2}", "{2,}", "{1,2}", "{2,1}", "{}", "{,}", "{0}",
            "{1,x}", "a{1\\,2}", "[^[:alnum:]_]", "[--/]", "[a-]", "[\\]", "\\n", "FATAL", "ERROR", " "
        };
        Random random = new Random(20260707L);
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder pattern = new StringBuilder();
            for (int n = 1 + random.nextInt(7); n > 0; n--) {
                pattern.append(fragments[random.nextInt(fragments.length)]);
            }
            patterns.add(pattern.toString());
        }
        return withBothCases(patterns);
    }

    private static Stream<Arguments> withBothCases(List<String> patterns) {
        return patterns.stream().flatMap(p -> Stream.of(Arguments.of(p, false), Arguments.of(p, true)));
    }

    @ParameterizedTest(name = "[{index}] grep -E{1}: {0}")
    @MethodSource("corpus")
    void handPickedPatternBehavesAsInGrep(String pattern, boolean ignoreCase) throws Exception {
        assertSameAsGrep(pattern, ignoreCase);
    }

    @ParameterizedTest(name = "[{index}] grep -E{1}: {0}")
    @MethodSource("generated")
    void generatedPatternBehavesAsInGrep(String pattern, boolean ignoreCase) throws Exception {
        assertSameAsGrep(pattern, ignoreCase);
    }

    private static void assertSameAsGrep(String pattern, boolean ignoreCase) throws Exception {
        String expected = grep(pattern, ignoreCase);
        String actual;
        try {
            Pattern compiled = PosixEre.compile(pattern, ignoreCase);
            actual = "matches " + matchingLines(compiled);
        } catch (EreSyntaxException e) {
            actual = "rejected: " + e.reason();
        }
        assertEquals(expected, actual, () -> "grep -E" + (ignoreCase ? "i" : "") + " '" + pattern
                + "' disagrees with PosixEre (" + translation(pattern, ignoreCase) + ")");
    }

    private static List<Integer> matchingLines(Pattern compiled) {
        List<Integer> lines = new ArrayList<>();
        for (int i = 0; i < SUBJECTS.size(); i++) {
            if (compiled.matcher(SUBJECTS.get(i)).find()) {
                lines.add(i + 1);
            }
        }
        return lines;
    }

    /** grep's verdict in the same shape: "rejected: reason" or "matches [line numbers]". */
    private static String grep(String pattern, boolean ignoreCase) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(GREP.toString(), ignoreCase ? "-Ei" : "-E", "-n", "-e",
                pattern, "--", subjects.toString());
        builder.environment().put("LC_ALL", "C");
        builder.environment().remove("POSIXLY_CORRECT"); // it turns some grep errors into warnings
        builder.environment().remove("GREP_OPTIONS");
        Path stdout = dir.resolve("grep.out");
        Path stderr = dir.resolve("grep.err");
        builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process process = builder.start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("grep did not finish within 20 s for pattern '" + pattern + "' (keep huge repeat counts out of"
                    + " the corpus: grep -Ei builds a{32767} as a DFA for minutes)");
        }
        int status = process.exitValue();
        String out = Files.readString(stdout, StandardCharsets.US_ASCII);
        String err = Files.readString(stderr, StandardCharsets.US_ASCII);
        if (status == 2) {
            // grep prefixes messages with argv[0] ("/usr/bin/grep: ") and also prints warnings.
            List<String> errors = err.lines().filter(l -> !l.contains("grep: warning:")).toList();
            assertEquals(1, errors.size(), () -> "expected one grep error for '" + pattern + "', got: " + err);
            return "rejected: " + errors.get(0).replaceFirst("^\\S*grep: ", "");
        }
        assertTrue(status == 0 || status == 1, () -> "grep exited " + status + " for '" + pattern + "': " + err);
        List<Integer> lines = new ArrayList<>();
        out.lines().forEach(l -> lines.add(Integer.parseInt(l.substring(0, l.indexOf(':')))));
        return "matches " + lines;
    }

    private static String translation(String pattern, boolean ignoreCase) {
        try {
            return "Java: " + PosixEre.compile(pattern, ignoreCase).pattern();
        } catch (EreSyntaxException e) {
            return e.getMessage();
        }
    }
}
