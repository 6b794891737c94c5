package io.iocagent.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The GNU grep behaviours most likely to surprise a Java reader, pinned without running grep
 * (every case here was first observed with grep 3.8; {@link PosixEreGrepParityTest} re-checks the
 * same shapes against the real binary).
 */
class PosixEreTest {

    private static boolean finds(String ere, String line) throws EreSyntaxException {
        return PosixEre.compile(ere).matcher(line).find();
    }

    private static boolean findsIgnoringCase(String ere, String line) throws EreSyntaxException {
        return PosixEre.compile(ere, true).matcher(line).find();
    }

    private static String rejection(String ere, boolean ignoreCase) {
        return assertThrows(EreSyntaxException.class, () -> PosixEre.compile(ere, ignoreCase)).reason();
    }

    @Test
    void metacharactersThatAreLiteralInEreStayLiteral() throws Exception {
        assertTrue(finds("a{", "a{"));
        assertTrue(finds("a}", "a}"));
        assertTrue(finds("[\\]", "\\"), "backslash is not special inside brackets");
        assertTrue(finds("\\(", "("));
        assertTrue(finds("\\|", "|"));
        assertFalse(finds("\\|", "x"));
        assertTrue(finds("&&", "a&&b"));
    }

    @Test
    void escapedOrdinaryCharacterIsThatCharacter() throws Exception {
        assertTrue(finds("\\n", "n"));
        assertTrue(finds("\\d", "d"));
        assertFalse(finds("\\d", "5"), "\\d is not a digit class in ERE");
        assertTrue(finds("\\0", "0"));
    }

    @Test
    void repetitionOperatorWithNothingToRepeatIsIgnored() throws Exception {
        assertTrue(finds("*a", "a"));
        assertFalse(finds("*a", "*"));
        assertTrue(finds("+a", "xa"));
        assertTrue(finds("a|*b", "b"));
        assertTrue(finds("{1}a", "a"), "a valid interval at the start repeats the empty string");
    }

    @Test
    void repetitionAfterAnAnchorRepeatsTheAnchor() throws Exception {
        assertTrue(finds("^*a", "xa"), "(^)* may match zero times, so 'a' can be anywhere");
        assertFalse(finds("^+a", "xa"));
        assertTrue(finds("a$*", "ab"));
    }

    @Test
    void closingParenthesisAfterSkippedOperatorIsUnmatchedOpen() {
        // glibc skips the '*' and then reads ')' as a literal, leaving '(' open.
        for (String ere : new String[] {"(*)", "(a|*)", "(^*)", "($*)", "(+)"}) {
            assertEquals(EreSyntaxException.UNMATCHED_PAREN, rejection(ere, false), ere);
        }
    }

    @Test
    void unmatchedCloseParenthesisIsLiteral() throws Exception {
        assertTrue(finds("a)", "a)"));
        assertFalse(finds("a)", "a"));
        assertTrue(finds("(a))", "a)"));
        assertEquals(EreSyntaxException.UNMATCHED_PAREN, rejection(")(", false));
    }

    @Test
    void emptyGroupsAndAlternativesMatchEveryLine() throws Exception {
        for (String ere : new String[] {"|", "||", "a||b", "(|a)", "(a|)", "()", "", "()*"}) {
            assertTrue(finds(ere, "zzz"), ere);
        }
    }

    @Test
    void braceThatCannotStartAnIntervalIsLiteral() throws Exception {
        assertTrue(finds("a{1,2", "a{1,2"));
        assertTrue(finds("a{x}", "a{x}"));
        assertTrue(finds("a{ 1}", "a{ 1}"));
        assertTrue(finds("{", "{"));
        assertTrue(finds("{}", "{}"), "at the start even {} is literal");
        assertTrue(finds("a{1\\,2}", "a{1,2}"), "an escaped comma makes the DFA read it literally");
        assertFalse(finds("a{1\\,2}", "aa"));
    }

    @Test
    void gnuIntervalsIncludingOmittedBounds() throws Exception {
        Pattern upToTwo = PosixEre.compile("^a{,2}$");
        assertTrue(upToTwo.matcher("").find());
        assertTrue(upToTwo.matcher("aa").find());
        assertFalse(upToTwo.matcher("aaa").find());
        assertTrue(finds("^a{,}$", "aaaa"));
        assertTrue(finds("^a{2}{3}$", "aaaaaa"));
        assertFalse(finds("^a{2}{3}$", "aaaaa"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '~', value = {
        "a{}~Invalid content of \\{\\}",
        "a{2,1}~Invalid content of \\{\\}",
        "a{1,2,3}~Invalid content of \\{\\}",
        "a{1\\,2,3}~Invalid content of \\{\\}",
        "a{32768}~Regular expression too big",
        "a{,32768}~Regular expression too big",
        "^{99999}~regular expression too big",
        "(~Unmatched ( or \\(",
        "(()~Unmatched ( or \\(",
        "\\~Trailing backslash",
        "a\\~Trailing backslash",
        "[~Invalid regular expression",
        "[^~Invalid regular expression",
        "[a~Unmatched [, [^, [:, [., or [=",
        "[]~Unmatched [, [^, [:, [., or [=",
        "[[:alpha:]~Unmatched [, [^, [:, [., or [=",
        "[[:foo:]]~Invalid character class name",
        "[[:ALPHA:]]~Invalid character class name",
        "[[.ab.]]~Invalid collation character",
        "[z-a]~Invalid range end",
        "[a-c-e]~Invalid range end",
        "[[:alpha:]-z]~Invalid range end",
        "[:alpha:]~character class syntax is [[:space:]], not [:space:]",
        "\\1~Invalid back reference",
        "(a\\1)~Invalid back reference",
        "(a)|\\1~Invalid back reference",
    })
    void rejectsWhatGrepRejectsWithGrepsReason(String ere, String reason) {
        assertEquals(reason, rejection(ere, false));
    }

    @Test
    void bracketExpressionsFollowPosixAndTheCLocale() throws Exception {
        assertTrue(finds("[]a]", "]"));
        assertTrue(finds("[^]a]", "b"));
        assertFalse(finds("[^]a]", "]"));
        assertTrue(finds("[a-]", "-"));
        assertTrue(finds("[--/]", "."));
        assertTrue(finds("[[:alnum:]_]", "_"));
        assertFalse(finds("[[:alpha:]]", "\u00e9"), "classes are ASCII only");
        assertTrue(finds("[[:punct:]]", "~"));
        assertTrue(finds("[[:blank:]]", "\t"));
        assertTrue(finds("[[:cntrl:]]", "\u001b"));
        assertTrue(finds("[[.-.]]", "-"));
        assertTrue(finds("[[=a=]]", "a"));
        assertTrue(finds("[:a]", ":"), "only a list that starts and ends with ':' is refused");
    }

    @Test
    void negatedBracketNeverMatchesNewline() throws Exception {
        assertFalse(finds("a[^x]b", "a\nb"));
        assertFalse(finds("a\\Wb", "a\nb"));
        assertFalse(finds("a\\sb", "a\nb"));
        assertFalse(finds("a.b", "a\nb"));
    }

    @Test
    void caseInsensitiveRangesFollowGrepNotJava() throws Exception {
        assertEquals(EreSyntaxException.BAD_RANGE_END, rejection("[a-Z]", false));
        assertFalse(findsIgnoringCase("[a-Z]", "a"), "valid under -i (checked as A-Z) yet empty for the DFA");
        assertEquals(EreSyntaxException.BAD_RANGE_END, rejection("[_-a]", true));
        assertTrue(finds("[_-a]", "`"));
        assertTrue(findsIgnoringCase("[A-z]", "_"));
        assertFalse(findsIgnoringCase("[A-z]|(b)\\1", "_"), "with a back-reference glibc decides: A-Z only");
        assertTrue(findsIgnoringCase("[[:upper:]]", "q"));
        assertFalse(findsIgnoringCase("[^[:lower:]]", "Q"));
    }

    @Test
    void backReferencesNameGroupsClosedEarlierOnTheSamePath() throws Exception {
        assertTrue(finds("(a|b)\\1", "bb"));
        assertFalse(finds("(a|b)\\1", "ab"));
        assertTrue(finds("((a)|b)\\2", "aa"), "after the alternation closes, all its groups are visible");
        assertTrue(finds("(a)\\10", "aa0"), "\\10 is \\1 followed by 0");
        assertFalse(finds("(a)*\\1", "a"), "a group that took no iteration is unset");
        assertTrue(findsIgnoringCase("(a)\\1", "aA"));
    }

    @Test
    void gnuWordAndBufferEscapes() throws Exception {
        assertTrue(finds("\\bfoo\\b", "a foo."));
        assertFalse(finds("\\bfoo\\b", "foobar"));
        assertTrue(finds("\\<bar", "foo bar"));
        assertFalse(finds("\\<bar", "foobar"));
        assertTrue(finds("foo\\>", "foo-x"));
        assertTrue(finds("^\\B$", ""));
        assertFalse(finds("\\<\\>", "ab"));
        assertTrue(finds("\\`foo", "foobar"));
        assertFalse(finds("\\`foo", "xfoo"));
        assertTrue(finds("bar\\'", "foobar"));
        assertTrue(finds("^\\w+\\W\\s\\S$", "ab_1- x"));
        assertFalse(finds("\\w", "\u00e9"), "\\w is ASCII only, unlike Java 17's \\b");
        assertFalse(finds("\\b", "\u00e9"));
    }

    @Test
    void anchorsMatchAtLineEdgesIncludingTheEmptyLine() throws Exception {
        assertTrue(finds("^$", ""));
        assertFalse(finds("a^b", "a^b"));
        assertTrue(finds("x|^a", "ab"));
        assertFalse(finds("c$", "c\r"), "a carriage return is an ordinary character");
    }

    @Test
    void severalLinesMatchWhenAnyLineDoes() throws Exception {
        Pattern def = PosixEre.compile("^def$");
        assertTrue(def.matcher("abc\ndef\nghi").find());
        assertFalse(def.matcher("abcdef\nghi").find());
        assertTrue(PosixEre.compile("(a)\\1").matcher("xa\naa").find());
    }

    @Test
    void newlineInPatternSeparatesIndependentPatterns() throws Exception {
        assertTrue(finds("a\nb", "b"));
        assertTrue(finds("(x)\n(y)\\1", "yy"), "each pattern numbers its own groups");
        assertTrue(finds("{1}x\n(b)\\1", "1}x"), "a back-reference in any pattern makes glibc decide all");
        assertFalse(finds("{1}x\n(b)\\1", "x"));
        assertTrue(finds("a\n", "zzz"), "an empty pattern matches every line");
        EreSyntaxException e = assertThrows(EreSyntaxException.class, () -> PosixEre.compile("ok\n(a"));
        assertEquals(3, e.index(), "the position counts from the start of the whole text");
    }

    @Test
    void nonAsciiCharactersAreOrdinaryCharacters() throws Exception {
        assertTrue(finds("caf\u00e9", "un caf\u00e9"));
        assertTrue(finds("^.$", "\u00e9"));
        assertTrue(finds("[\u00e9]", "\u00e9"));
        assertTrue(finds("^.$", "\uD83D\uDE00"), "a supplementary character is one character");
    }

    @Test
    void errorNamesPatternReasonAndPosition() {
        EreSyntaxException e = assertThrows(EreSyntaxException.class, () -> PosixEre.compile("motor (timeout"));
        assertEquals("motor (timeout", e.pattern());
        assertEquals(EreSyntaxException.UNMATCHED_PAREN, e.reason());
        assertEquals(6, e.index());
        assertEquals("Invalid POSIX extended regular expression 'motor (timeout': Unmatched ( or \\( (at character 6).",
                e.getMessage());
    }

    @Test
    void caseSensitiveByDefault() throws Exception {
        assertFalse(finds("error", "ERROR"));
        assertTrue(findsIgnoringCase("error", "ERROR"));
    }
}
