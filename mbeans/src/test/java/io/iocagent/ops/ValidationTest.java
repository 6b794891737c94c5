package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.Identity;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.FakeManager;
import io.iocagent.testbed.ScriptTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's {@code validate_conf} report: what is printed for a pass, a syntax error, warnings and each failed rule. */
class ValidationTest {

    @TempDir
    Path root;

    private Path chdir;
    private Session session;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        chdir = Files.createDirectories(root.resolve("ioca"));
        Path cmd = Files.writeString(chdir.resolve("st.cmd"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(cmd, PosixFilePermissions.fromString("rwxr-xr-x"));
        Layout layout = new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", new Identity("u", "g"));
        FakeManager manager = new FakeManager("epics-@");
        session = Session.withManager(layout, new Account("u", "g", 1000, root, true), Map.of("PATH", "/bin"),
                ScriptTerminal.of(out::add, err::add), false, manager, manager);
    }

    private String conf(String cmd) {
        return "IOC_NAME=\"a\"\nIOC_USER=\"u\"\nIOC_GROUP=\"g\"\nIOC_CHDIR=\"" + chdir + "\"\nIOC_CMD=\"" + cmd + "\"\n";
    }

    @Test
    void aValidConfPassesWithWarningsForRepeatedKeys() throws Exception {
        ConfFile conf = Validation.require(session, conf("./st.cmd") + "IOC_CMD=\"./st.cmd\"\n", "x.conf");
        assertEquals("./st.cmd", conf.get("IOC_CMD").orElseThrow());
        assertEquals(List.of("Validating configuration file: x.conf...", "Validation passed successfully."), out);
        assertEquals(1, err.size(), err.toString());
        assertTrue(err.get(0).startsWith("Warning: IOC_CMD is set more than once in x.conf"), err.get(0));
    }

    @Test
    void aSyntaxErrorNamesTheLineAndTheRule() {
        OperationException e = assertThrows(OperationException.class, () -> Validation.require(session, "just words\n", "x.conf"));
        assertTrue(e.reported());
        assertEquals("Syntax error in x.conf", e.getMessage());
        assertEquals(2, err.size(), err.toString());
        assertTrue(err.get(0).startsWith("Error: ") && err.get(0).contains("x.conf"), err.get(0));
        assertEquals("  -> Each line must be KEY=\"VALUE\" or a # comment; fix the line and try again.", err.get(1));
        assertEquals(List.of("Validating configuration file: x.conf..."), out);
    }

    @Test
    void everyFailedRuleIsReportedWithItsHintsAndCounted() {
        OperationException one = assertThrows(OperationException.class,
                () -> Validation.require(session, conf("st.cmd"), "x.conf"));
        assertEquals("Validation of x.conf failed with 1 errors", one.getMessage());
        assertEquals(List.of("Error: Command not executable or not found: st.cmd",
                "  Hint: st.cmd exists in IOC_CHDIR, but a command without '/' is looked up in PATH only; write IOC_CMD=\"./st.cmd\".",
                "Validation failed with 1 error. Installation aborted."), err);

        err.clear();
        OperationException two = assertThrows(OperationException.class,
                () -> Validation.require(session, "IOC_USER=\"u\"\nIOC_GROUP=\"g\"\nIOC_CHDIR=\"" + chdir
                        + "\"\nIOC_PORT=\"a;b\"\n", "x.conf"));
        assertTrue(two.reported());
        assertEquals(List.of("Error: Required variable IOC_CMD is missing or empty.",
                "Error: Illegal characters detected in variable IOC_PORT",
                "Validation failed with 2 errors. Installation aborted."), err);
    }
}
