package io.iocagent.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.conf.IocPort.Normalization;
import io.iocagent.conf.IocPort.Normalization.Outcome;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class IocPortTest {

    private static final String SYSTEM_STANDARD = "unix:ioc-srv:ioc:0660:/run/procserv/iocx/control";
    private static final String LOCAL_STANDARD = "unix:alice:alice:0660:/run/user/1000/procserv/iocx/control";

    @Test
    void standardPortIsTheControlSocketUnderTheRunDirectory() {
        assertEquals(SYSTEM_STANDARD,
                IocPort.standard(new Identity("ioc-srv", "ioc"), Path.of("/run/procserv"), new IocName("iocx")));
        assertEquals(LOCAL_STANDARD, IocPort.standard(new Identity("alice", "alice"),
                Path.of("/run/user/1000/procserv/"), new IocName("iocx")));
    }

    @Test
    void socketPathIsTheTextAfterTheLastColon() {
        assertEquals(Path.of("/run/procserv/iocx/control"), IocPort.socketPath(SYSTEM_STANDARD));
        assertEquals(Path.of("/tmp/sock"), IocPort.socketPath("/tmp/sock"));
    }

    @Test
    void emptyPortBecomesTheStandardInEitherMode() {
        assertEquals(new Normalization(Outcome.STANDARD, SYSTEM_STANDARD, ""),
                IocPort.normalize(Mode.SYSTEM, "", SYSTEM_STANDARD));
        assertEquals(new Normalization(Outcome.STANDARD, LOCAL_STANDARD, ""),
                IocPort.normalize(Mode.LOCAL, "", LOCAL_STANDARD));
    }

    @Test
    void standardPortIsAcceptedSilently() {
        assertEquals(new Normalization(Outcome.STANDARD, SYSTEM_STANDARD, ""),
                IocPort.normalize(Mode.SYSTEM, SYSTEM_STANDARD, SYSTEM_STANDARD));
    }

    @Test
    void otherPortIsAnErrorInSystemMode() {
        assertEquals(new Normalization(Outcome.MISMATCH, SYSTEM_STANDARD,
                "IOC_PORT mismatch. Expected: " + SYSTEM_STANDARD),
                IocPort.normalize(Mode.SYSTEM, "unix:ioc-srv:ioc:0660:/tmp/x", SYSTEM_STANDARD));
    }

    @Test
    void otherPortIsReplacedWithAWarningInLocalMode() {
        assertEquals(new Normalization(Outcome.REPLACED, LOCAL_STANDARD,
                "IOC_PORT in the conf is replaced by the local standard socket path"
                        + " (/run/user/1000/procserv/iocx/control)."),
                IocPort.normalize(Mode.LOCAL, "2000", LOCAL_STANDARD));
    }
}
