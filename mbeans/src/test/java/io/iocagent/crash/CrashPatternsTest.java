package io.iocagent.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The seed's crash vocabulary (inventory §4.1, §4.4) and its EXTRA classifier (§4.6). */
class CrashPatternsTest {

    private static final String ANSI_HISTORY_LINE =
            "\u001b[31mERROR Permission denied (13) loading '/x/.iocsh_history'\u001b[0m";

    @Test
    void constantsAreTheSeedsLiterals() {
        assertEquals("All initialization complete", CrashPatterns.READINESS_MARKER);
        assertEquals(27, CrashPatterns.READINESS_MARKER.length(), "the seed skips 27 bytes past the marker");
        assertEquals("@@@ Child process is shutting down", CrashPatterns.DEATH_BANNER);
        assertEquals("((^|[^[:alnum:]_])FATAL([^[:alnum:]_]|$)|Segmentation fault|undefined symbol"
                + "|error while loading|Unbalanced quote|ERROR|Can't open|cannot open"
                + "|No such file or directory|Invalid directory path)", CrashPatterns.CRASH_ERE);
        assertEquals("Permission denied \\([0-9]+\\) (loading|writing) '[^']*iocsh_history'",
                CrashPatterns.EXCLUDE_ERE);
        assertEquals(2, CrashPatterns.CANARY_LINES.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "FATAL: x", "fatal error", "xx FATAL", "Fatal", "[FATAL]", "FATAL-42",
        "Segmentation fault (core dumped)", "./st.cmd: symbol lookup error: undefined symbol: fooInit",
        "error while loading shared libraries: libca.so.3", "st.cmd line 12: Unbalanced quote",
    })
    void fatalSubsetFailsAStart(String line) {
        assertTrue(CrashPatterns.isFatal(line));
        assertTrue(CrashPatterns.isCorroborating(line, Optional.empty()), "the whole set contains the fatal subset");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "device_nonfatal=ready", "fatalFlag=ready", "device_nonfatal_state=ready", "FATAL_COUNT=0", "x9FATAL",
        "ERROR", "Error: x", "Can't open file", "No such file or directory", "iocInit: All initialization complete",
    })
    void nonFatalLinesDoNotFailAStart(String line) {
        assertFalse(CrashPatterns.isFatal(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ERROR", "Error", "error: bad record", "Can't open file st.cmd", "cannot open /dev/ttyS0",
        "No such file or directory", "Invalid directory path /x", "CAN'T OPEN",
    })
    void ambiguousTokensOnlyCorroborate(String line) {
        assertTrue(CrashPatterns.isCorroborating(line, Optional.empty()));
        assertFalse(CrashPatterns.isFatal(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "device_nonfatal=ready", "fatalFlag=ready", "iocInit: All initialization complete",
        "dbLoadRecords(\"db/motor.db\")", "",
    })
    void healthyLinesDoNotCorroborate(String line) {
        assertFalse(CrashPatterns.isCorroborating(line, Optional.empty()));
    }

    @Test
    void colouredIocshHistoryComplaintIsExcludedFromEveryCheck() {
        assertTrue(CrashPatterns.isExcluded(ANSI_HISTORY_LINE));
        assertTrue(CrashPatterns.isExcluded("ERROR Permission denied (13) writing '/home/ioc/.iocsh_history'"));
        assertFalse(CrashPatterns.isCorroborating(ANSI_HISTORY_LINE, Optional.empty()),
                "its ERROR must not turn a clean start into a warning");
    }

    @Test
    void similarPermissionErrorsAreNotExcluded() {
        String otherFile = "\u001b[31mERROR Permission denied (13) loading '/x/.bash_history'\u001b[0m";
        assertFalse(CrashPatterns.isExcluded(otherFile));
        assertTrue(CrashPatterns.isCorroborating(otherFile, Optional.empty()));
        assertFalse(CrashPatterns.isExcluded("ERROR permission denied (13) loading '/x/.iocsh_history'"),
                "the exclusion filter is case-sensitive");
        assertFalse(CrashPatterns.isExcluded("ERROR Permission denied () loading '/x/.iocsh_history'"));
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '~', value = {
        "ioc-runner~MATCHES_ORDINARY_TEXT",
        ".~MATCHES_ORDINARY_TEXT",
        "healthy log line~MATCHES_ORDINARY_TEXT",
        "ORDINARY HEALTHY~MATCHES_ORDINARY_TEXT",
        "EPICS 7~MATCHES_ORDINARY_TEXT",
        "a||b~EMPTY_ALTERNATION",
        "|a~EMPTY_ALTERNATION",
        "a|~EMPTY_ALTERNATION",
        "(|a)~EMPTY_ALTERNATION",
        "(a|)~EMPTY_ALTERNATION",
        "a\\|~EMPTY_ALTERNATION",
        "\\(|x~EMPTY_ALTERNATION",
        "(abc~INVALID_REGEX",
        "abc)(~INVALID_REGEX",
        "a\\~INVALID_REGEX",
        "(a)\\2~INVALID_REGEX",
        "[_-a]~INVALID_REGEX",
        "(|~INVALID_REGEX",
        "motor timeout|axis fault~USABLE",
        "\\(x\\)~USABLE",
        "stack overflow \\(~USABLE",
        "a)~USABLE",
        "(x)\\1~USABLE",
        "asyn: port .* disconnected~USABLE",
    })
    void classifiesExtraInTheSeedsOrder(String value, ExtraPatternVerdict verdict) {
        assertEquals(verdict, CrashPatterns.classifyExtra(value));
    }

    @Test
    void usableExtraCompilesCaseInsensitively() {
        Optional<Pattern> extra = CrashPatterns.compileExtra("motor timeout|axis fault");
        assertTrue(extra.isPresent());
        assertTrue(CrashPatterns.isCorroborating("Motor Timeout on m1", extra));
        assertTrue(CrashPatterns.isCorroborating("AXIS FAULT", extra));
        assertFalse(CrashPatterns.isCorroborating("motor ready", extra));
        assertTrue(CrashPatterns.isCorroborating("ERROR", extra), "the base set stays active");
    }

    @Test
    void extraNeverMakesALineFatal() {
        Optional<Pattern> extra = CrashPatterns.compileExtra("axis fault");
        assertTrue(CrashPatterns.isCorroborating("axis fault", extra));
        assertFalse(CrashPatterns.isFatal("axis fault"));
    }

    @Test
    void extraDoesNotReviveExcludedLines() {
        Optional<Pattern> extra = CrashPatterns.compileExtra("iocsh_history");
        assertFalse(CrashPatterns.isCorroborating(ANSI_HISTORY_LINE, extra));
    }

    @Test
    void extraWithBackReferenceKeepsWorkingAlongsideTheBaseSet() {
        // The seed spliced EXTRA into its combined ERE, where \1 named a base group: grep exited 2
        // and no corroborating token (base or EXTRA) was ever found.
        Optional<Pattern> extra = CrashPatterns.compileExtra("(x)\\1");
        assertTrue(CrashPatterns.isCorroborating("xx", extra));
        assertTrue(CrashPatterns.isCorroborating("ERROR", extra));
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "a||b", "(abc", "ioc-runner", ""})
    void unusableExtraCompilesToNothing(String value) {
        assertEquals(Optional.empty(), CrashPatterns.compileExtra(value));
    }

    @Test
    void canaryLinesThemselvesAreNotCrashLines() {
        for (String canary : CrashPatterns.CANARY_LINES) {
            assertFalse(CrashPatterns.isCorroborating(canary, Optional.empty()), canary);
        }
    }
}
