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
    void longValuesAreCut() {
        String line = AuditLog.format(new AuditLog.Event("jolokia", "u", "operator", "::1", "write", "x",
                "epics.ioc:name=x,type=Ioc", "A", "x".repeat(5000), AuditLog.Outcome.OK, ""));
        assertTrue(line.length() < 1000, line);
        assertTrue(line.contains("x...") && line.endsWith("message=\"\""), line);
    }

    @Test
    void theIocIsTheNameKeyOrTheManagersFirstArgument() throws Exception {
        assertEquals("x", AuditLog.iocOf(new javax.management.ObjectName("epics.ioc:type=Ioc,name=x"), java.util.List.of()));
        assertEquals("y", AuditLog.iocOf(new javax.management.ObjectName("epics.ioc:type=Manager"), java.util.List.of("y")));
        assertEquals("", AuditLog.iocOf(new javax.management.ObjectName("epics.ioc:type=Manager"), java.util.List.of("/a/b.conf", true)));
        assertEquals("", AuditLog.iocOf(new javax.management.ObjectName("java.lang:type=Memory"), java.util.List.of("x")));
    }

    @Test
    void aSurfaceMarksItsThreadOnlyUntilTheMarkIsClosed() {
        assertFalse(AuditLog.auditedBySurface());
        try (AuditLog.Mark mark = AuditLog.surfaceAudits()) {
            assertTrue(AuditLog.auditedBySurface());
        }
        assertFalse(AuditLog.auditedBySurface());
    }
}
