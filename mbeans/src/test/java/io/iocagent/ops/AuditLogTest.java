package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AuditLogTest {

    @Test
    void eventIsOneLineOfKeyValuePairsWithQuotedMBean() {
        String line = AuditLog.format(new AuditLog.Event("jolokia", "olivia", "operator", "127.0.0.1", "exec", "x",
                "epics.ioc:name=x,type=Ioc", "restart", "[]", AuditLog.Outcome.OK, "null"));
        assertEquals("surface=jolokia user=olivia role=operator remote=127.0.0.1 action=exec ioc=x"
                + " mbean=\"epics.ioc:name=x,type=Ioc\" member=restart detail=[] outcome=ok message=null", line);
    }

    @Test
    void clientControlledTextCannotStartANewLineOrFakeAField() {
        String line = AuditLog.format(new AuditLog.Event("jolokia", "mallory\nsurface=jolokia user=root", "viewer",
                "127.0.0.1", "exec", "x", "epics.ioc:name=x,type=Ioc", "op", "[\"a\\\"b\"]", AuditLog.Outcome.DENIED,
                "operations need the operator role"));
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("user=\"mallory\\nsurface=jolokia user=root\""), line);
        assertTrue(line.contains("detail=\"[\\\"a\\\\\\\"b\\\"]\""), line);
    }

    @Test
    void everyLineSeparatorAndControlCharacterIsEscapedAndTheValueQuoted() {
        String nasty = "a\u2028b\u2029c\u0085d\u0000e\u001bf\u009bg\u007fh\u202ei";
        String line = AuditLog.format(new AuditLog.Event("jolokia", "u", "operator", "::1", "exec", "x",
                "epics.ioc:name=x,type=Ioc", "op", nasty, AuditLog.Outcome.OK, "\u00e9"));
        assertTrue(line.contains("detail=\"a\\u2028b\\u2029c\\u0085d\\u0000e\\u001bf\\u009bg\\u007fh\\u202ei\""), line);
        assertTrue(line.contains("message=\"\u00e9\""), "non-ASCII text is quoted: " + line);
        for (char c : line.toCharArray()) {
            assertTrue(c >= 0x20 && c < 0x7f || c == '\u00e9', "raw character U+" + Integer.toHexString(c) + " in " + line);
        }
    }

    @Test
    void arraysAreRenderedAsTheirContents() {
        assertEquals("[[a, b], 3]", AuditLog.render(java.util.List.of(new String[] {"a", "b"}, 3)));
        assertEquals("[1, 2]", AuditLog.render(new int[] {1, 2}));
        assertEquals("[x, [y]]", AuditLog.render(new Object[] {"x", new String[] {"y"}}));
    }

    @Test
    void longValuesAreCut() {
        String line = AuditLog.format(new AuditLog.Event("jolokia", "u", "operator", "::1", "write", "x",
                "epics.ioc:name=x,type=Ioc", "A", "x".repeat(5000), AuditLog.Outcome.OK, ""));
        assertTrue(line.length() < 1000, line);
        assertTrue(line.contains("x...") && line.endsWith("message=\"\""), line);
    }

    @Test
    void exactlyTheCharactersThatBreakOrDisguiseALineAreEscaped() {
        for (char c : new char[] {0x00, 0x1f, 0x7f, 0x9f, 0x2028, 0x2029, 0x200e, 0x200f, 0x202a, 0x202e, 0x2066, 0x2069,
                0xfeff, 0xd800, 0xdfff}) {
            assertTrue(AuditLog.mustEscape(c), "U+" + Integer.toHexString(c) + " is escaped");
        }
        for (char c : new char[] {0x20, 0x7e, 0xa0, 0x2027, 0x2030, 0x202f, 0x200d, 0x2010, 0x2065, 0x206a, 0xfefe,
                0xff00, 0xd7ff, 0xe000, 'e'}) {
            assertFalse(AuditLog.mustEscape(c), "U+" + Integer.toHexString(c) + " is kept");
        }
    }

    @Test
    void aValueOfExactlyTheLimitIsKeptWholeAndOneMoreIsCut() {
        String at = AuditLog.format(new AuditLog.Event("jolokia", "u", "operator", "::1", "write", "x",
                "epics.ioc:name=x,type=Ioc", "A", "y".repeat(512), AuditLog.Outcome.OK, "m"));
        assertTrue(at.contains(" detail=" + "y".repeat(512) + " outcome=ok"), at);
        String over = AuditLog.format(new AuditLog.Event("jolokia", "u", "operator", "::1", "write", "x",
                "epics.ioc:name=x,type=Ioc", "A", "y".repeat(513), AuditLog.Outcome.OK, "m"));
        assertTrue(over.contains(" detail=" + "y".repeat(512) + "... outcome=ok"), over);
    }

    @Test
    void emptyAndSpecialValuesAreQuotedAndNullIsEmpty() {
        String line = AuditLog.format(new AuditLog.Event("jolokia", null, "", "a=b", "exec", "~", "!", "x\\y",
                "\u007f", AuditLog.Outcome.OK, " "));
        assertEquals("surface=jolokia user=\"\" role=\"\" remote=\"a=b\" action=exec ioc=~ mbean=! member=\"x\\\\y\""
                + " detail=\"\\u007f\" outcome=ok message=\" \"", line);
        assertEquals("null", AuditLog.render(null));
        assertEquals("[]", AuditLog.render(java.util.List.of()));
        assertEquals("[a, null]", AuditLog.render(java.util.Arrays.asList("a", null)));
    }
}
