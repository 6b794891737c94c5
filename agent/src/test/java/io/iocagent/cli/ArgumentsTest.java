package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

    private static Arguments parsed(String... args) {
        return assertInstanceOf(Arguments.Parsed.class, Arguments.parse(List.of(args))).arguments();
    }

    @Test
    void optionsMayStandBeforeBetweenAndAfterPositionals() {
        for (List<String> order : List.of(List.of("--local", "list", "-v"), List.of("list", "-v", "--local"),
                List.of("list", "--local", "-v"))) {
            Arguments a = parsed(order.toArray(String[]::new));
            assertTrue(a.local());
            assertEquals(1, a.verbosity());
            assertEquals(Optional.of("list"), a.command());
        }
        Arguments install = parsed("install", "x.conf", "-f");
        assertTrue(install.force());
        assertEquals(Optional.of("x.conf"), install.target());
    }

    @Test
    void userIsAnAliasOfLocal() {
        assertTrue(parsed("--user", "list").local());
    }

    @Test
    void lastVerbosityWins() {
        assertEquals(1, parsed("list", "-vv", "-v").verbosity());
        assertEquals(2, parsed("list", "-v", "-vv").verbosity());
    }

    @Test
    void bundledAndUnknownOptionsAreRejected() {
        assertEquals("Unknown option '-fv'", assertInstanceOf(Arguments.Invalid.class, Arguments.parse(List.of("-fv"))).error());
        assertEquals("Unknown option '-vvv'", assertInstanceOf(Arguments.Invalid.class,
                Arguments.parse(List.of("list", "-vvv"))).error());
    }

    @Test
    void aThirdPositionalIsAnError() {
        assertEquals("Unexpected argument 'c'",
                assertInstanceOf(Arguments.Invalid.class, Arguments.parse(List.of("start", "b", "c"))).error());
    }

    @Test
    void helpAndVersionActWhenReachedIgnoringLaterTokens() {
        assertInstanceOf(Arguments.ShowVersion.class, Arguments.parse(List.of("-V", "--bogus")));
        assertInstanceOf(Arguments.ShowHelp.class, Arguments.parse(List.of("start", "--help", "a", "b", "c")));
        assertInstanceOf(Arguments.Invalid.class, Arguments.parse(List.of("--bogus", "-V")));
    }

    @Test
    void helpCarriesTheCommandWordWhereverItStandsButNeverAConfigFile() {
        assertEquals(Optional.of("start"), assertInstanceOf(Arguments.ShowHelp.class,
                Arguments.parse(List.of("start", "--help"))).command());
        assertEquals(Optional.of("start"), assertInstanceOf(Arguments.ShowHelp.class,
                Arguments.parse(List.of("--local", "-h", "start", "x"))).command());
        assertEquals(Optional.empty(), assertInstanceOf(Arguments.ShowHelp.class,
                Arguments.parse(List.of("--config", "start", "--help"))).command());
        assertEquals(Optional.of("agent"), assertInstanceOf(Arguments.ShowHelp.class,
                Arguments.parse(List.of("--config", "start", "agent", "--help"))).command());
        Arguments.Invalid bad = assertInstanceOf(Arguments.Invalid.class, Arguments.parse(List.of("--bogus", "list")));
        assertEquals("--bogus", bad.token());
        assertEquals(Optional.of("list"), bad.command());
    }

    @Test
    void credentialTakesUserAndRoleAsOneTargetOrAsTwoWords() {
        assertEquals(Optional.of("olivia:operator"), parsed("credential", "olivia:operator").target());
        assertEquals(Optional.of("olivia:operator"), parsed("credential", "olivia", "operator").target());
        assertInstanceOf(Arguments.Invalid.class, Arguments.parse(List.of("credential", "olivia", "operator", "x")));
        assertInstanceOf(Arguments.Invalid.class, Arguments.parse(List.of("credential", "olivia:viewer", "operator")));
        assertInstanceOf(Arguments.Invalid.class, Arguments.parse(List.of("start", "a", "b")));
    }
}
