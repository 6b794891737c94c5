package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.ConfText;
import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.FakeManager;
import io.iocagent.testbed.RecordingTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate DIR} on temporary iocBoot directories: the conf it writes (name from the
 * directory, the one executable {@code .cmd}, mode by the mode), the choice among several scripts,
 * the diff and confirmation before a different file is replaced, and every refusal leaving
 * nothing written. systemd is never asked.
 */
class GeneratorTest {

    private static final Identity ID = new Identity("u", "g");

    @TempDir
    Path root;

    private Path dir;
    private final FakeManager manager = new FakeManager("epics-@");

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createDirectories(root.resolve("iocBoot/ioca"));
    }

    private Path script(String name, boolean executable) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "#!../../bin/softIoc\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        return p;
    }

    private Session session(Mode mode, boolean force, Terminal t) {
        Layout layout = new Layout(mode, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", ID);
        return Session.withManager(layout, new Account("u", "g", 1000, root, true), Map.of(), t, force, manager, manager);
    }

    private Path generate(String target, boolean force, Terminal t) throws OperationException {
        return new Generator(session(Mode.LOCAL, force, t)).generate(target);
    }

    private String expected(String cmd) {
        return ConfText.generated(new IocName("ioca"), ID, dir, cmd);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void theOneExecutableScriptBecomesAPrivateLocalConfNamedAfterTheDirectory() throws Exception {
        script("st.cmd", true);
        script("notes.cmd", false);
        RecordingTerminal t = RecordingTerminal.typing();

        Path conf = generate(dir.toString(), false, t);

        assertEquals(dir.resolve("ioca.conf"), conf);
        assertEquals(expected("st.cmd"), Files.readString(conf));
        assertEquals("rw-------", mode(conf));
        List<String> shown = new ArrayList<>(List.of("Validating configuration file: " + conf + "...",
                "Validation passed successfully.", Session.DIVIDER,
                "Configuration successfully generated and validated at: " + conf, Session.SUB_DIVIDER));
        shown.addAll(expected("st.cmd").lines().toList());
        shown.addAll(List.of(Session.DIVIDER, "Next step: ioc-runner --local install " + conf));
        assertEquals(shown, t.out);
        assertEquals(List.of(), t.err);
        assertEquals(List.of(), t.prompts);
        assertEquals("rw-------", mode(dir.resolve(".iocsh_history")), "the history is pre-created for the IOC");
        assertEquals(List.of(), manager.asked(), "generate never needs systemd");
    }

    @Test
    void systemModeConfsAndHistoriesAreGroupWritable() throws Exception {
        script("st.cmd", true);
        RecordingTerminal t = RecordingTerminal.typing();
        Path conf = new Generator(session(Mode.SYSTEM, false, t)).generate(dir + "/");
        assertEquals("rw-rw----", mode(conf));
        assertEquals("rw-rw-r--", mode(dir.resolve(".iocsh_history")));
        assertEquals("Next step: ioc-runner install " + conf, t.out.get(t.out.size() - 1));
    }

    @Test
    void anExistingHistoryIsBroughtToTheModeButForeignOnesAreLeftAlone() throws Exception {
        script("st.cmd", true);
        Path history = Files.writeString(dir.resolve(".iocsh_history"), "dbl\n");
        Files.setPosixFilePermissions(history, PosixFilePermissions.fromString("rw-r--r--"));
        generate(dir.toString(), true, RecordingTerminal.typing());
        assertEquals("rw-------", mode(history));
        assertEquals("dbl\n", Files.readString(history), "the history is kept");

        Files.delete(dir.resolve("ioca.conf"));
        Files.setPosixFilePermissions(history, PosixFilePermissions.fromString("rw-r--r--"));
        Path second = Files.createLink(root.resolve("second-name"), history);
        RecordingTerminal t = RecordingTerminal.typing();
        generate(dir.toString(), true, t);
        assertEquals("rw-r--r--", mode(history));
        assertEquals(List.of("Note: " + history + " belongs to someone else (or has several names); its mode is left as it is."),
                t.err);
        Files.delete(second);
    }

    @Test
    void aHistoryThatIsALinkOrADirectoryIsNeitherFollowedNorChanged() throws Exception {
        script("st.cmd", true);
        Path target = Files.writeString(root.resolve("secret"), "x");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        Path history = Files.createSymbolicLink(dir.resolve(".iocsh_history"), target);
        RecordingTerminal t = RecordingTerminal.typing();
        generate(dir.toString(), false, t);
        assertEquals("rw-r--r--", mode(target), "the link's target is untouched");
        assertEquals(List.of("Note: " + history + " is a symbolic link; it is neither followed nor changed."
                + " The IOC will run without a history unless you replace it by a file."), t.err);

        Files.delete(history);
        Files.delete(dir.resolve("ioca.conf"));
        Files.createDirectory(history);
        RecordingTerminal d = RecordingTerminal.typing();
        generate(dir.toString(), false, d);
        assertEquals(List.of("Note: " + history + " is not a regular file; left as it is. The IOC will run without a history."),
                d.err);
    }

    @Test
    void aTargetThatIsNoDirectoryIsRefused() throws Exception {
        for (String target : List.of("", root.resolve("nope").toString(), script("st.cmd", true).toString())) {
            OperationException e = assertThrows(OperationException.class, () -> generate(target, false, RecordingTerminal.typing()));
            assertEquals("Target '" + target + "' is not a valid directory.", e.getMessage());
            assertEquals(List.of("  -> Give the iocBoot directory that holds the IOC's startup script (st.cmd)."), e.details());
        }
    }

    @Test
    void theNameComesFromTheResolvedDirectoryAndMustBeAnIocName() throws Exception {
        script("st.cmd", true);
        assertEquals(dir.resolve("ioca.conf"), generate(dir + "/.", false, RecordingTerminal.typing()),
                "a trailing '.' names the directory itself");

        Path bad = Files.createDirectories(root.resolve("bad name"));
        OperationException e = assertThrows(OperationException.class, () -> generate(bad.toString(), false, RecordingTerminal.typing()));
        assertEquals(IocName.invalidMessage("bad name", true), e.getMessage());
        assertEquals(List.of("  -> Rename the iocBoot directory; its name becomes the IOC name."), e.details());

        OperationException slash = assertThrows(OperationException.class, () -> generate("/", false, RecordingTerminal.typing()));
        assertEquals(IocName.invalidMessage("/", true), slash.getMessage());
    }

    @Test
    void aDirectoryWithoutScriptsSaysSoAndNamesNoChmod() throws Exception {
        Files.createDirectory(dir.resolve("dir.cmd"));
        Files.writeString(dir.resolve(".hidden.cmd"), "");
        OperationException e = assertThrows(OperationException.class, () -> generate(dir.toString(), false, RecordingTerminal.typing()));
        assertEquals("Could not resolve any executable .cmd file in " + dir, e.getMessage());
        assertEquals(List.of("  -> generate takes an iocBoot directory holding the IOC's startup script (*.cmd, e.g. st.cmd); "
                + dir + " has none."), e.details());
        assertFalse(Files.exists(dir.resolve("ioca.conf")));
    }

    @Test
    void scriptsThatAreNotExecutableAreNamedInAChmodHintQuotedForTheShell() throws Exception {
        Path plain = script("st.cmd", false);
        Path spaced = script("my st.cmd", false);
        script("x.txt", true);
        OperationException e = assertThrows(OperationException.class, () -> generate(dir.toString(), false, RecordingTerminal.typing()));
        assertEquals(List.of("  -> Make the startup script executable: chmod +x '" + spaced + "' " + plain), e.details());
    }

    @Test
    void severalScriptsAreOfferedAndAnInvalidChoiceIsAskedAgain() throws Exception {
        script("b.cmd", true);
        script("a.cmd", true);
        RecordingTerminal t = RecordingTerminal.typing("x", "0", "3", "2");

        Path conf = generate(dir.toString(), false, t);

        assertEquals(expected("b.cmd"), Files.readString(conf));
        assertEquals(List.of("Multiple executable .cmd files found in " + dir.toAbsolutePath() + ":", "  [1] a.cmd", "  [2] b.cmd",
                "Invalid selection. Please enter a number between 1 and 2.",
                "Invalid selection. Please enter a number between 1 and 2.",
                "Invalid selection. Please enter a number between 1 and 2."), t.out.subList(0, 6));
        assertEquals(4, t.prompts.size());
        assertEquals("Select the startup script [1-2]: ", t.prompts.get(0));
    }

    @Test
    void theFirstOfSeveralScriptsIsTakenWithForceAndClosedInputAborts() throws Exception {
        script("b.cmd", true);
        script("a.cmd", true);
        RecordingTerminal forced = RecordingTerminal.typing();
        Path conf = generate(dir.toString(), true, forced);
        assertEquals(expected("a.cmd"), Files.readString(conf));
        assertEquals("Warning: Multiple executable .cmd files found. Auto-selecting './a.cmd' due to --force.", forced.out.get(0));
        Files.delete(conf);

        RecordingTerminal closed = RecordingTerminal.typing();
        OperationException e = assertThrows(OperationException.class, () -> generate(dir.toString(), false, closed));
        assertTrue(e.reported());
        assertEquals(List.of("", "Error: Input stream closed (EOF). Aborting generation."), closed.err);
        assertFalse(Files.exists(conf));
    }

    @Test
    void anIdenticalConfIsKeptAndItsModeRepaired() throws Exception {
        script("st.cmd", true);
        Path conf = Files.writeString(dir.resolve("ioca.conf"), expected("st.cmd"));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        RecordingTerminal t = RecordingTerminal.typing();

        assertEquals(conf, generate(dir.toString(), false, t));

        assertEquals("rw-------", mode(conf));
        assertEquals(List.of(Session.DIVIDER, "Info: Existing configuration '" + conf + "' is already up-to-date (Identical).",
                "Skipping overwrite.", Session.SUB_DIVIDER), t.out.subList(2, 6));
        assertEquals("Next step: ioc-runner --local install " + conf, t.out.get(t.out.size() - 1));
        assertFalse(Files.exists(dir.resolve(".iocsh_history")), "nothing new was written");
    }

    @Test
    void aDifferentConfIsShownAsADiffAndReplacedOnlyOnYes() throws Exception {
        script("st.cmd", true);
        Path conf = Files.writeString(dir.resolve("ioca.conf"), expected("st.cmd").replace("./st.cmd", "./old.cmd"));

        RecordingTerminal no = RecordingTerminal.typing("n");
        OperationException e = assertThrows(OperationException.class, () -> generate(dir.toString(), false, no));
        assertTrue(e.reported());
        assertTrue(Files.readString(conf).contains("./old.cmd"), "declined: the old file stays");
        assertTrue(no.out.contains("Configuration file '" + conf + "' already exists with differences."), no.out.toString());
        assertTrue(no.out.contains("  [-] Current Configuration : " + conf), no.out.toString());
        assertTrue(no.out.contains("  [+] Pending Configuration : (Auto-generated)"), no.out.toString());
        assertTrue(no.out.contains("-IOC_CMD=\"./old.cmd\""), no.out.toString());
        assertTrue(no.out.contains("+IOC_CMD=\"./st.cmd\""), no.out.toString());
        assertEquals("Generation aborted by user.", no.out.get(no.out.size() - 1));
        assertEquals(List.of("Do you want to overwrite it with the new configuration? [y/N]: "), no.prompts);

        RecordingTerminal yes = RecordingTerminal.typing("y");
        generate(dir.toString(), false, yes);
        assertEquals(expected("st.cmd"), Files.readString(conf));
    }

    @Test
    void aColourTerminalSeesTheDiffInColour() throws Exception {
        script("st.cmd", true);
        Path conf = Files.writeString(dir.resolve("ioca.conf"), expected("st.cmd").replace("./st.cmd", "./old.cmd"));
        RecordingTerminal t = RecordingTerminal.colourTyping("n");
        assertThrows(OperationException.class, () -> generate(dir.toString(), false, t));
        assertTrue(t.out.contains("\033[0;31m  [-] Current Configuration : " + conf + "\033[0m"), t.out.toString());
        assertTrue(t.out.contains("\033[0;32m  [+] Pending Configuration : (Auto-generated)\033[0m"), t.out.toString());
        assertTrue(t.out.contains("\033[0;31m-IOC_CMD=\"./old.cmd\"\033[0m"), t.out.toString());
        assertTrue(t.out.contains("\033[0;32m+IOC_CMD=\"./st.cmd\"\033[0m"), t.out.toString());
        assertTrue(t.out.stream().anyMatch(l -> l.startsWith("\033[0;34m@@")), t.out.toString());
        assertTrue(t.out.stream().anyMatch(l -> l.equals(" IOC_PORT=\"\"")), "context lines are not painted: " + t.out);
    }

    @Test
    void forceReplacesADifferentConfWithoutAsking() throws Exception {
        script("st.cmd", true);
        Path conf = Files.writeString(dir.resolve("ioca.conf"), "IOC_NAME=\"old\"\n");
        RecordingTerminal t = RecordingTerminal.typing();
        generate(dir.toString(), true, t);
        assertEquals(expected("st.cmd"), Files.readString(conf));
        assertEquals(List.of(), t.prompts);
    }

    @Test
    void anExistingConfThatIsALinkOrNoTextIsRefusedAndLeftAlone() throws Exception {
        script("st.cmd", true);
        Path target = Files.writeString(root.resolve("shadow"), "secret\n");
        Path conf = Files.createSymbolicLink(dir.resolve("ioca.conf"), target);
        OperationException link = assertThrows(OperationException.class, () -> generate(dir.toString(), true, RecordingTerminal.typing()));
        assertEquals(conf + " is a symbolic link; generate neither reads nor replaces it.", link.getMessage());
        assertEquals(List.of("  -> Remove the link (rm " + conf + ") and run generate again."), link.details());
        assertEquals("secret\n", Files.readString(target));

        Files.delete(conf);
        Files.write(conf, new byte[] {'I', '=', (byte) 0xff, '\n'});
        OperationException binary = assertThrows(OperationException.class, () -> generate(dir.toString(), true, RecordingTerminal.typing()));
        assertEquals(List.of("  -> Remove or fix " + conf + " and run generate again."), binary.details());
        assertEquals(4, Files.size(conf));
    }
}
