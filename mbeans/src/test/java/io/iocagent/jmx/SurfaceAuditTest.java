package io.iocagent.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SurfaceAuditTest {

    @Test
    void theIocIsTheNameKeyOrTheManagersFirstArgument() throws Exception {
        assertEquals("x", SurfaceAudit.iocOf(new javax.management.ObjectName("epics.ioc:type=Ioc,name=x"), java.util.List.of()));
        assertEquals("y", SurfaceAudit.iocOf(new javax.management.ObjectName("epics.ioc:type=Manager"), java.util.List.of("y")));
        assertEquals("", SurfaceAudit.iocOf(new javax.management.ObjectName("epics.ioc:type=Manager"), java.util.List.of("/a/b.conf", true)));
        assertEquals("", SurfaceAudit.iocOf(new javax.management.ObjectName("java.lang:type=Memory"), java.util.List.of("x")));
    }

    @Test
    void aSurfaceMarksItsThreadOnlyUntilTheMarkIsClosed() {
        assertFalse(SurfaceAudit.active());
        try (SurfaceAudit.Mark mark = SurfaceAudit.begin()) {
            assertTrue(SurfaceAudit.active());
        }
        assertFalse(SurfaceAudit.active());
    }
}
