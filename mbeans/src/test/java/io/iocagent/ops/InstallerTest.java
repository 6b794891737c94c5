package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.FakeManager;
import io.iocagent.testbed.ScriptTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code install} in system mode against a manager answered by a table: the seed's gates in their
 * order, each refusal leaving nothing written and systemd unasked where the seed never asks it,
 * and the installed file (standard socket filled in, mode 0660, reload after).
 */
class InstallerTest {

    private static final String PREFIX = "epics-@";
    private static final IocName A = new IocName("a");

    @TempDir
    Path root;

    private Layout layout;
    private Identity identity;
    private Path chdir;
    private Path iocBoot;
    private final FakeManager manager = new FakeManager(PREFIX);
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        // The IOC tree conforms to the system model: every parent traversable, the iocBoot directory
        // group-owned by the IOC group with setgid and group write (ChdirConformance).
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        String group = Files.readAttributes(root, PosixFileAttributes.class).group().getName();
        identity = new Identity("ioc-srv", group);
        layout = new Layout(Mode.SYSTEM, root.resolve("procServ.d"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), PREFIX, identity);
        Files.createDirectories(layout.confDir());
        Files.createDirectories(layout.systemdDir());
        Files.writeString(layout.templateFile(), "[Service]\n");
        chdir = Files.createDirectories(root.resolve("iocs/a/iocBoot/ioca"));
        chmod("2775", chdir); // setgid: no java.nio permission for it
        Path cmd = Files.writeString(chdir.resolve("st.cmd"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(cmd, PosixFilePermissions.fromString("rwxr-xr-x"));
        iocBoot = chdir.getParent().resolve("a");
        Files.createDirectories(iocBoot);
        source("");
    }

    private static void chmod(String mode, Path path) throws IOException {
        try {
            Process p = new ProcessBuilder("chmod", mode, path.toString()).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("chmod " + mode + " " + path + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private void source(String extra) throws IOException {
        Files.writeString(iocBoot.resolve("a.conf"), "IOC_NAME=\"a\"\nIOC_USER=\"ioc-srv\"\nIOC_GROUP=\"" + identity.group()
                + "\"\nIOC_CHDIR=\"" + chdir + "\"\nIOC_PORT=\"\"\nIOC_CMD=\"./st.cmd\"\n" + extra);
    }

    private IocName install(String target, boolean force) throws OperationException {
        Session session = Session.withManager(layout, new Account("alice", identity.group(), 1000, root, true),
                Map.of("PATH", "/usr/bin:/bin"), ScriptTerminal.of(out::add, err::add), force, manager, manager);
        return new Installer(session).install(target);
    }

    private String installed() throws IOException {
        return Files.readString(layout.confFile(A));
    }

    @Test
    void installWritesTheConfWithTheStandardSocketThenReloadsAndNeverStarts() throws Exception {
        assertEquals(A, install(iocBoot.toString(), false));

        String standard = IocPort.standard(identity, layout.runDir(), A);
        assertTrue(installed().contains("IOC_PORT=\"" + standard + "\""), "the empty IOC_PORT is filled in:\n" + installed());
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(layout.confFile(A))),
                "system confs are group-writable for the IOC group, not world-readable");
        assertEquals(List.of("states", "reload"), manager.asked(),
                "install reads the unit's state (refusing while it runs) and reloads; it never starts or enables");
        assertEquals("IOC a installed in system mode. Use 'start' command to run it.", out.get(out.size() - 1));
        assertTrue(out.contains("Validation passed successfully."), out.toString());
    }

    @Test
    void aConfFileNamedDirectlyIsInstalledToo() throws Exception {
        install(iocBoot.resolve("a.conf").toString(), false);
        assertTrue(Files.isRegularFile(layout.confFile(A)));
    }

    @Test
    void aRunningUnitRefusesTheInstallBeforeAnythingIsWritten() {
        manager.running("a");
        OperationException e = assertThrows(OperationException.class, () -> install(iocBoot.toString(), false));
        assertTrue(e.reported());
        assertEquals("Install refused: epics-@a.service is active", e.getMessage());
        assertTrue(err.contains("Error: Operation aborted. Service 'epics-@a.service' is currently 'active'."), err.toString());
        assertTrue(err.contains("  -> ioc-runner stop a"), err.toString());
        assertFalse(Files.exists(layout.confFile(A)), "nothing is written while the unit runs");
        assertFalse(manager.asked().contains("reload"));
    }

    @Test
    void aUnitChangingStateRefusesTooButAFailedOneDoesNot() throws Exception {
        manager.held("a", "deactivating", "stop-sigterm");
        assertThrows(OperationException.class, () -> install(iocBoot.toString(), false));
        assertFalse(Files.exists(layout.confFile(A)));

        manager.held("a", "failed", "failed");
        install(iocBoot.toString(), false);
        assertTrue(Files.exists(layout.confFile(A)), "a failed unit may get a corrected conf");
    }

    @Test
    void aTargetThatIsNeitherFileNorDirectoryIsRefused() {
        OperationException e = assertThrows(OperationException.class, () -> install(root.resolve("nope").toString(), false));
        assertEquals("Target '" + root.resolve("nope") + "' is neither a valid directory nor a configuration file.",
                e.getMessage());
        assertEquals(List.of("  -> Give NAME.conf, or the iocBoot directory holding it."), e.details());
        assertEquals(List.of(), manager.asked());
    }

    @Test
    void aDirectoryWithoutItsConfPointsToGenerate() throws Exception {
        Path empty = Files.createDirectories(root.resolve("iocs/b"));
        OperationException e = assertThrows(OperationException.class, () -> install(empty.toString(), false));
        assertEquals("Configuration file 'b.conf' not found in directory '" + empty + "'.", e.getMessage());
        assertEquals(List.of("Hint: Did you run 'ioc-runner generate " + empty + "' first?"), e.details());
    }

    @Test
    void aFileNameThatIsNoIocNameIsRefused() throws Exception {
        Path bad = Files.writeString(root.resolve("bad name.conf"), "IOC_NAME=\"x\"\n");
        OperationException e = assertThrows(OperationException.class, () -> install(bad.toString(), false));
        assertEquals(IocName.invalidMessage("bad name", false), e.getMessage());
        assertEquals(List.of("  -> The IOC name is the file name without .conf; rename the file."), e.details());
    }

    @Test
    void anInvalidConfIsReportedAndNothingIsAsked() throws Exception {
        source("IOC_CMD=\"\"\n");
        OperationException e = assertThrows(OperationException.class, () -> install(iocBoot.toString(), false));
        assertTrue(e.reported());
        assertTrue(err.stream().anyMatch(l -> l.startsWith("Validation failed with ")), err.toString());
        assertEquals(List.of(), manager.asked(), "validation comes before systemd");
        assertFalse(Files.exists(layout.confFile(A)));
    }

    @Test
    void aDotDotInChdirIsAHardErrorEvenWithForce() throws Exception {
        Files.writeString(iocBoot.resolve("a.conf"), "IOC_NAME=\"a\"\nIOC_USER=\"ioc-srv\"\nIOC_GROUP=\"" + identity.group()
                + "\"\nIOC_CHDIR=\"" + chdir + "/../ioca\"\nIOC_PORT=\"\"\nIOC_CMD=\"./st.cmd\"\n");
        OperationException e = assertThrows(OperationException.class, () -> install(iocBoot.toString(), true));
        assertEquals("IOC_CHDIR '" + chdir + "/../ioca' contains a '..' component.", e.getMessage());
        assertFalse(Files.exists(layout.confFile(A)));
    }

    @Test
    void aChdirOutsideTheSystemModelNeedsConfirmationAndClosedInputAborts() throws Exception {
        Files.setPosixFilePermissions(chdir, PosixFilePermissions.fromString("rwxr-xr-x")); // no setgid, no group write
        OperationException e = assertThrows(OperationException.class, () -> install(iocBoot.toString(), false));
        assertTrue(err.contains("Warning: IOC_CHDIR '" + chdir + "' is not writable by 'ioc-srv'."), err.toString());
        assertTrue(e.reported(), e.getMessage());
        assertFalse(Files.exists(layout.confFile(A)), "an unanswered prompt installs nothing");

        err.clear();
        install(iocBoot.toString(), true);
        assertTrue(Files.exists(layout.confFile(A)), "--force proceeds after the warning");
    }

    @Test
    void aMissingTemplateInSystemModeIsForTheAdministrator() throws Exception {
        Files.delete(layout.templateFile());
        OperationException e = assertThrows(OperationException.class, () -> install(iocBoot.toString(), false));
        assertEquals("Systemd template " + layout.templateFile() + " not found.", e.getMessage());
        assertEquals(List.of(), manager.asked());
    }

    @Test
    void aMissingSystemConfDirectoryIsForTheAdministrator() throws Exception {
        Files.delete(layout.confDir());
        OperationException e = assertThrows(OperationException.class, () -> install(iocBoot.toString(), false));
        assertEquals("System configuration directory " + layout.confDir() + " does not exist.", e.getMessage());
        assertEquals(List.of("Please ask an administrator to run the setup script (deploy/setup)."), e.details());
    }

    @Test
    void aForeignSocketInIocPortIsRefusedWithWhatToDo() throws Exception {
        Files.writeString(iocBoot.resolve("a.conf"), Files.readString(iocBoot.resolve("a.conf"))
                .replace("IOC_PORT=\"\"", "IOC_PORT=\"unix:ioc-srv:" + identity.group() + ":0660:/tmp/elsewhere\""));
        OperationException e = assertThrows(OperationException.class, () -> install(iocBoot.toString(), false));
        assertEquals(List.of("  -> Leave IOC_PORT empty (IOC_PORT=\"\") and install fills in the standard socket."),
                e.details(), e.getMessage());
        assertFalse(Files.exists(layout.confFile(A)));
    }

    @Test
    void anExistingConfIsReplacedOnlyWhenConfirmedOrForced() throws Exception {
        Files.writeString(layout.confFile(A), "old\n");
        OperationException e = assertThrows(OperationException.class, () -> install(iocBoot.toString(), false));
        assertTrue(out.contains("Warning: Configuration file '" + layout.confFile(A) + "' already exists."), out.toString());
        assertTrue(e.reported());
        assertEquals("old\n", installed(), "a declined overwrite leaves the old file");

        out.clear();
        install(iocBoot.toString(), true);
        assertTrue(out.contains("Info: Overwriting existing configuration file '" + layout.confFile(A) + "' (--force)."),
                out.toString());
        assertTrue(installed().startsWith("IOC_NAME=\"a\""), installed());
    }

    @Test
    void theRefusalAndTheChdirWarningSayAllTheyShould() throws Exception {
        manager.held("a", "activating", "start");
        assertThrows(OperationException.class, () -> install(iocBoot.toString(), false));
        assertEquals(List.of(Session.DIVIDER, "Error: Operation aborted. Service 'epics-@a.service' is currently 'activating'.",
                "Please stop the service explicitly and wait for it to become inactive.", "  -> ioc-runner stop a",
                Session.DIVIDER), err);

        manager.held("a", "inactive", "dead");
        err.clear();
        Files.setPosixFilePermissions(chdir, PosixFilePermissions.fromString("rwxr-xr-x"));
        install(iocBoot.toString(), true);
        assertEquals(List.of("Warning: IOC_CHDIR '" + chdir + "' is not writable by 'ioc-srv'.",
                "         System IOCs should live in a tree like /opt/epics-iocs/ that is group-owned by",
                "         '" + identity.group() + "' with setgid (2775), with every parent traversable, so the IOC can write",
                "         .iocsh_history, autosave files and the like. See the FAQ (Q5/Q6).",
                "         Tip: EPICS_IOCSH_HISTFILE=\"\" in the conf stops the IOC writing .iocsh_history."), err);
    }

    @Test
    void aConfThatIsNoUtf8TextIsRefusedWithWhatToDo() throws Exception {
        Files.write(iocBoot.resolve("a.conf"), new byte[] {'I', 'O', 'C', '=', (byte) 0xC3, '\n'});
        OperationException e = assertThrows(OperationException.class, () -> install(iocBoot.toString(), false));
        assertEquals(List.of("  -> Save the file as UTF-8 text."), e.details());
        assertEquals(List.of(), manager.asked());
    }
}
