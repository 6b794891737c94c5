package io.iocagent.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The seed's wording for a refused CRASH_LOG_PATTERNS_EXTRA (inventory §2.4 step 5, §4.2 step 6). */
class ExtraPatternVerdictTest {

    @Test
    void installErrorsAreTheSeedsTextsWithoutPrefix() {
        assertEquals("Invalid regex syntax in CRASH_LOG_PATTERNS_EXTRA.",
                ExtraPatternVerdict.INVALID_REGEX.installError());
        assertEquals("Empty alternation in CRASH_LOG_PATTERNS_EXTRA (would match every log line).",
                ExtraPatternVerdict.EMPTY_ALTERNATION.installError());
        assertEquals("CRASH_LOG_PATTERNS_EXTRA matches ordinary log text (degenerate pattern such as '.').",
                ExtraPatternVerdict.MATCHES_ORDINARY_TEXT.installError());
    }

    @Test
    void runtimeReasonsAreTheSeedsTexts() {
        assertEquals("is not a valid regular expression", ExtraPatternVerdict.INVALID_REGEX.runtimeReason());
        assertEquals("has an empty alternation and would match every log line",
                ExtraPatternVerdict.EMPTY_ALTERNATION.runtimeReason());
        assertEquals("matches ordinary log text", ExtraPatternVerdict.MATCHES_ORDINARY_TEXT.runtimeReason());
    }

    @Test
    void usableVerdictHasNoErrorText() {
        assertThrows(IllegalStateException.class, ExtraPatternVerdict.USABLE::installError);
        assertThrows(IllegalStateException.class, ExtraPatternVerdict.USABLE::runtimeReason);
    }
}
