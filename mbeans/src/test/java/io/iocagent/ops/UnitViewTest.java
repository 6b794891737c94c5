package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.systemd.UnitState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * {@code view NAME} against a manager answered by a table and unit files in a temporary
 * directory: the conf, then the fragment and each drop-in headed by its path as
 * {@code systemctl cat} prints them, and what is shown when a file or systemd cannot be read.
 */
class UnitViewTest extends OnLocalHost {

    private static final IocName A = new IocName("a");

    private void show() throws OperationException {
        new UnitView(session()).show(A);
    }

    private void unitFiles(String loadState, String fragment, List<String> dropIns) {
        manager.put(new UnitState(manager.unit("a"), loadState, "inactive", "dead", "success", 0, 0, Optional.empty(),
                Optional.empty(), "", OptionalLong.empty(), OptionalLong.empty(), fragment, dropIns, "disabled"));
    }

    @Test
    void theConfThenTheFragmentAndEachDropInUnderTheirPaths() throws Exception {
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\nIOC_CMD=\"./st.cmd\"\n");
        Path fragment = Files.writeString(root.resolve("epics-@.service"), "[Service]\nExecStart=x\n");
        Path dropIn = Files.writeString(root.resolve("10-limits.conf"), "[Service]\nLimitNOFILE=1024\n");
        Path missing = root.resolve("20-gone.conf");
        unitFiles("loaded", fragment.toString(), List.of(dropIn.toString(), missing.toString()));

        show();

        List<String> expected = new ArrayList<>(List.of(Session.DIVIDER, "1. IOC Configuration File: " + layout.confFile(A),
                Session.SUB_DIVIDER, "IOC_NAME=\"a\"", "IOC_CMD=\"./st.cmd\"", "", Session.DIVIDER,
                "2. Systemd Template Unit", Session.SUB_DIVIDER,
                "# " + fragment, "[Service]", "ExecStart=x", "",
                "# " + dropIn, "[Service]", "LimitNOFILE=1024", "",
                "# " + missing));
        assertEquals(expected, out.subList(0, expected.size()));
        assertTrue(out.get(expected.size()).startsWith("(cannot read " + missing + ": "), out.get(expected.size()));
        assertEquals(Session.DIVIDER, out.get(out.size() - 1));
        assertEquals(expected.size() + 2, out.size(), String.join("\n", out));
        assertEquals(List.of(), err);
    }

    @Test
    void aUnitWithoutFilesSaysWhatSystemdLoaded() throws Exception {
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\n");
        unitFiles("not-found", "", List.of());
        show();
        assertEquals(List.of("2. Systemd Template Unit", Session.SUB_DIVIDER,
                "(systemd has no unit file for epics-@a.service; load state: not-found)", Session.DIVIDER),
                out.subList(out.size() - 4, out.size()));
    }

    @Test
    void onlyDropInsAreShownWithoutABlankLineBeforeTheFirst() throws Exception {
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\n");
        Path dropIn = Files.writeString(root.resolve("override.conf"), "[Unit]\n");
        unitFiles("loaded", "", List.of(dropIn.toString()));
        show();
        assertEquals(List.of(Session.SUB_DIVIDER, "# " + dropIn, "[Unit]", Session.DIVIDER), out.subList(out.size() - 4, out.size()));
    }

    @Test
    void theConfStandsWhenSystemdCannotBeAsked() throws Exception {
        Files.writeString(layout.confFile(A), "IOC_NAME=\"a\"\n");
        manager.unreachable("no bus");
        show();
        assertEquals(List.of("(Cannot reach systemd: no bus.)", Session.DIVIDER), out.subList(out.size() - 2, out.size()));
        assertTrue(out.contains("IOC_NAME=\"a\""), out.toString());
    }

    @Test
    void aMissingConfIsReportedWithTheInstallHint() {
        OperationException e = assertThrows(OperationException.class, this::show);
        assertTrue(e.reported());
        assertEquals("No configuration for a", e.getMessage());
        assertEquals(List.of("Error: Configuration file not found at " + layout.confFile(A),
                "  -> Is 'a' installed in local mode? (ioc-runner --local install …)", Session.DIVIDER), err);
        assertEquals(List.of(), manager.asked(), "systemd is not asked about an IOC that is not installed");
    }

    @Test
    void aConfThatIsNoRegularFileIsNotShown() throws Exception {
        Files.createDirectory(layout.confFile(A));
        OperationException e = assertThrows(OperationException.class, this::show);
        assertEquals("Unreadable configuration for a", e.getMessage());
        assertTrue(err.get(0).startsWith("Error: Cannot read "), err.toString());
        assertEquals(List.of("  -> The installed conf must be a regular file; install it again (ioc-runner --local install …)",
                Session.DIVIDER), err.subList(1, 3));

        Files.delete(layout.confFile(A));
        Path secret = Files.writeString(root.resolve("secret"), "x\n");
        Files.createSymbolicLink(layout.confFile(A), secret);
        err.clear();
        out.clear();
        assertThrows(OperationException.class, this::show);
        assertTrue(out.stream().noneMatch(l -> l.equals("x")), "a link is never followed: " + out);
    }
}
