package io.iocagent.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfFileTest {

    private static final String DISPLAY = "/etc/procServ.d/x.conf";

    private static ConfFile parse(String text) throws ConfSyntaxException {
        return ConfFile.parse(text, DISPLAY);
    }

    private static String value(String line) throws ConfSyntaxException {
        return parse(line + "\n").get("A").orElseThrow();
    }

    private static String syntaxError(String text) {
        return assertThrows(ConfSyntaxException.class, () -> parse(text)).getMessage();
    }

    @Test
    void readsPlainAssignments() throws Exception {
        ConfFile conf = parse("IOC_USER=ioc-srv\nIOC_CHDIR=/opt/x\n");
        assertEquals(Optional.of("ioc-srv"), conf.get("IOC_USER"));
        assertEquals(Optional.of("/opt/x"), conf.get("IOC_CHDIR"));
    }

    @Test
    void trimsBlanksAroundKeyAndValue() throws Exception {
        assertEquals(Optional.of("ioc-runner"), parse(" \tA \t=  ioc-runner \t\n").get("A"));
    }

    @Test
    void keepsBlanksInsideQuotes() throws Exception {
        assertEquals("  a b  ", value("A=\"  a b  \""));
        assertEquals(" a ", value("A=' a '"));
    }

    @Test
    void unquotesDoubleQuotedValue() throws Exception {
        assertEquals("./st.cmd", value("A=\"./st.cmd\""));
    }

    @Test
    void unescapesQuoteBackslashDollarAndBacktickInsideDoubleQuotes() throws Exception {
        assertEquals("a\"b\\c$d`e", value("A=\"a\\\"b\\\\c\\$d\\`e\""));
    }

    @Test
    void keepsOtherBackslashesInsideDoubleQuotes() throws Exception {
        assertEquals("asyn\\.error\\n", value("A=\"asyn\\.error\\n\""));
    }

    @Test
    void doesNotExpandVariables() throws Exception {
        assertEquals("$HOME/x", value("A=\"$HOME/x\""));
        assertEquals("$HOME", value("A=$HOME"));
    }

    @Test
    void takesSingleQuotedValueLiterally() throws Exception {
        assertEquals("a\\\"b$c", value("A='a\\\"b$c'"));
    }

    @Test
    void unescapesBackslashInUnquotedValue() throws Exception {
        assertEquals("a b;c", value("A=a\\ b\\;c"));
    }

    @Test
    void readsCrlfLines() throws Exception {
        ConfFile conf = parse("A=\"x\"\r\nB=y\r\n# note\r\n\r\n");
        assertEquals(Optional.of("x"), conf.get("A"));
        assertEquals(Optional.of("y"), conf.get("B"));
    }

    @Test
    void stripsOnlyOneCarriageReturnBeforeTheValueIsRead() throws Exception {
        assertEquals("x\r", value("A=\"x\r\"\r"));
    }

    @Test
    void lastAssignmentWinsAndIsReportedOncePerKey() throws Exception {
        ConfFile conf = parse("IOC_CMD=./a.cmd\nB=1\nIOC_CMD=./b.cmd\nB=2\nIOC_CMD=./c.cmd\n");
        assertEquals(Optional.of("./c.cmd"), conf.get("IOC_CMD"));
        assertEquals(Optional.of("2"), conf.get("B"));
        assertEquals(List.of(
                "IOC_CMD is set more than once in " + DISPLAY + " (lines 1, 3 and 5); the last value is used.",
                "B is set more than once in " + DISPLAY + " (lines 2 and 4); the last value is used."),
                conf.warnings());
    }

    @Test
    void singleAssignmentsGiveNoWarnings() throws Exception {
        assertEquals(List.of(), parse("A=1\nB=2\n").warnings());
    }

    @Test
    void skipsBlankAndCommentLines() throws Exception {
        ConfFile conf = parse("# IOC_USER=nobody\n\n   \n\t# A=\"unbalanced\nA=1\n");
        assertEquals(Optional.empty(), conf.get("IOC_USER"));
        assertEquals(Optional.of("1"), conf.get("A"));
    }

    @Test
    void readsLastLineWithoutNewline() throws Exception {
        assertEquals(Optional.of("./st.cmd"), parse("A=1\nIOC_CMD=./st.cmd").get("IOC_CMD"));
    }

    @Test
    void distinguishesEmptyValueFromMissingKey() throws Exception {
        ConfFile conf = parse("IOC_PORT=\"\"\nB=\nC=''\n");
        assertEquals(Optional.of(""), conf.get("IOC_PORT"));
        assertEquals(Optional.of(""), conf.get("B"));
        assertEquals(Optional.of(""), conf.get("C"));
        assertEquals(Optional.empty(), conf.get("D"));
    }

    @Test
    void keepsEqualsSignsAfterTheFirst() throws Exception {
        assertEquals("b=", value("A=b="));
        assertEquals("x=1=2", value("A=\"x=1=2\""));
    }

    @Test
    void keepsTheOriginalText() throws Exception {
        String text = "# c\r\nA = \"x\"\nA=y";
        assertEquals(text, parse(text).text());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
        "1A=x          => the name before '=' is not a valid variable name",
        "IOC-CMD=x     => the name before '=' is not a valid variable name",
        "IOC CMD=x     => the name before '=' is not a valid variable name",
        "export A=x    => the name before '=' is not a valid variable name",
        "=x            => no variable name before '='",
        "just words    => expected KEY=VALUE, found no '='",
    })
    void rejectsLinesWithoutAValidKey(String line, String reason) {
        String message = syntaxError("A=1\n" + line + "\n");
        assertTrue(message.startsWith("Syntax error detected in " + DISPLAY + " (line 2: " + reason), message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
        "A=\"abc                => unmatched opening double quote",
        "A=\"abc\\\"             => unmatched opening double quote",
        "A='abc                 => unmatched opening single quote",
        "A=abc\"                => unmatched closing double quote",
        "A=abc'                 => unmatched closing single quote",
        "A=\"a\"b\"             => unescaped double quote inside a double-quoted value",
        "A=\"x\" # comment      => unescaped double quote inside a double-quoted value",
        "A='it's'               => single quote inside a single-quoted value",
        "A=a\"b                 => double quote inside an unquoted value",
        "A=ab\\                 => backslash at the end of the line",
    })
    void rejectsUnbalancedOrStrayQuotes(String line, String reason) {
        assertTrue(syntaxError(line.strip()).startsWith("Syntax error detected in " + DISPLAY + " (line 1: " + reason),
                () -> syntaxError(line.strip()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
        "~A=a b~         => whitespace",
        "~A=a\tb~        => whitespace",
        "~A=x # note~    => whitespace",
        "A=a;b           => ';'",
        "A=a&b           => '&'",
        "A=a|b           => '|'",
        "A=a<b           => '<'",
        "A=a>b           => '>'",
        "A=a(b           => '('",
        "A=a)b           => ')'",
        "A=a`b           => '`'",
    })
    void rejectsUnquotedWhitespaceAndShellMetacharacters(String line, String offending) {
        String message = syntaxError(line);
        assertTrue(message.contains("unquoted value contains " + offending), message);
        assertTrue(message.contains("enclose the whole value in"), message);
    }

    @Test
    void acceptsMetacharactersInsideQuotes() throws Exception {
        assertEquals("(segfault|abort) x;y", value("A=\"(segfault|abort) x;y\""));
        assertEquals("a|b", value("A='a|b'"));
    }

    @Test
    void syntaxErrorNamesTheLineCountingCommentsAndBlanks() {
        assertTrue(syntaxError("# c\n\nA=1\nB=\"x\n").contains("(line 4: "));
    }

    @Test
    void readsFileFromDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.conf");
        Files.writeString(file, "IOC_CMD=\"./st.cmd\"\n");
        assertEquals(Optional.of("./st.cmd"), ConfFile.read(file, "x.conf").get("IOC_CMD"));
    }

    @Test
    void rejectsInvalidUtf8NamingTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.conf");
        byte[] bad = {'A', '=', '1', '\n', 'B', '=', (byte) 0xC3, '\n'};
        Files.write(file, bad);
        ConfSyntaxException e = assertThrows(ConfSyntaxException.class, () -> ConfFile.read(file, "x.conf"));
        assertEquals("Syntax error detected in x.conf (line 2: not valid UTF-8 text)", e.getMessage());
    }

    @Test
    void readsUtf8Values(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.conf");
        Files.write(file, "A=\"Müller\"\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of("Müller"), ConfFile.read(file, "x.conf").get("A"));
    }

    @Test
    void aSyntaxErrorNeverQuotesTheFilesText() {
        // The first line of /etc/shadow once came back in an install error over JMX.
        String secret = "root:$y$j9T$Secret0Hash:19000:0:99999:7:::";
        assertTrue(!syntaxError(secret + "\n").contains("Secret0Hash"), () -> syntaxError(secret + "\n"));
        assertTrue(!syntaxError("Secret0Hash x=1\n").contains("Secret0Hash"), () -> syntaxError("Secret0Hash x=1\n"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
        "~A=\"a\u0000b\"~     => U+0000 (NUL) at column 5",
        "~A='\u0000'~         => U+0000 (NUL) at column 4",
        "~# note \u0000~      => U+0000 (NUL) at column 8",
        "~A=\"\u001b[31m\"~    => U+001B at column 4",
        "~A=\"x\u007f\"~       => U+007F at column 5",
    })
    void refusesNulAndOtherControlCharactersNamingTheLine(String line, String what) {
        String message = syntaxError("B=1\n" + line + "\n");
        assertTrue(message.startsWith("Syntax error detected in " + DISPLAY + " (line 2: control character " + what),
                message);
        assertTrue(message.contains("systemd's EnvironmentFile= refuses"), message);
    }

    @Test
    void tabsAndCarriageReturnsAreStillBlanks() throws Exception {
        assertEquals("a\tb", value("A=\"a\tb\"\r"));
    }

    @Test
    void aFileLargerThanTheLimitIsRefusedWithoutBeingRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.conf");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(100L * 1024 * 1024); // sparse: 100 MB that costs no disk
        }
        IOException e = assertThrows(IOException.class, () -> ConfFile.read(file, "big.conf"));
        assertEquals(file + ": file too large (104857600 bytes, limit " + ConfFile.MAX_BYTES
                + "); a conf is a few hundred bytes (the limit is IOC_RUNNER_CONF_MAX_BYTES)", e.getMessage());
    }

    @Test
    void aFileExactlyAtTheLimitIsRead(@TempDir Path dir) throws Exception {
        String line = "A=\"" + "x".repeat(ConfFile.MAX_BYTES - 5) + "\"\n";
        assertEquals(ConfFile.MAX_BYTES, line.length());
        Path file = Files.writeString(dir.resolve("x.conf"), line);
        assertEquals(ConfFile.MAX_BYTES - 5, ConfFile.read(file, "x.conf").get("A").orElseThrow().length());
        Files.writeString(file, line + "\n");
        assertThrows(IOException.class, () -> ConfFile.read(file, "x.conf"));
    }

    @Test
    void aSymbolicLinkIsNotFollowed(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "A=\"private\"\n");
        Path link = Files.createSymbolicLink(dir.resolve("x.conf"), secret);
        IOException e = assertThrows(IOException.class, () -> ConfFile.read(link, "x.conf"));
        assertEquals(link + ": is a symbolic link, which is not followed", e.getMessage());
    }

    @Test
    void aFifoIsRefusedWithoutBlocking(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("x.conf");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        IOException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> assertThrows(IOException.class, () -> ConfFile.read(fifo, "x.conf")));
        assertEquals(fifo + ": not a regular file", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
        "~~        => 65536",
        "4096      => 4096",
        "~ 200 ~   => 200",
    })
    void theLimitIsANamedSettingWithASafeDefault(String setting, int limit) {
        assertEquals(limit, ConfFile.maxBytes(setting.isEmpty() ? null : setting));
    }

    @ParameterizedTest
    @CsvSource({"0", "-1", "64k", "99999999"})
    void aBadLimitNamesTheVariable(String setting) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfFile.maxBytes(setting));
        assertTrue(e.getMessage().startsWith("IOC_RUNNER_CONF_MAX_BYTES='" + setting + "' is not a number"), e.getMessage());
    }
}
