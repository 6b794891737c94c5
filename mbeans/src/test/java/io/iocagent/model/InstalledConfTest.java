package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading installed confs into the model: once per version, tolerant of broken files. */
class InstalledConfTest {

    @TempDir
    Path root;

    private Layout layout() {
        return new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), "epics-@", new Identity("u", "g"));
    }

    private Path write(String name, String text) throws IOException {
        Files.createDirectories(root.resolve("conf"));
        Path staged = Files.writeString(root.resolve(name + ".staged"), text);
        return Files.move(staged, root.resolve("conf").resolve(name + ".conf"), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aMissingConfDirectoryMeansNothingIsInstalled() throws IOException {
        assertTrue(new ConfDirectory(layout()).scan().isEmpty());
    }

    @Test
    void commandDirectoryAndSocketComeFromTheConf() throws IOException {
        write("motor1", "IOC_CMD=\"./st.cmd\"\nIOC_CHDIR=/opt/iocs/motor1\nIOC_PORT=\"unix:u:g:0660:/elsewhere/ctl\"\n");
        write("plain", "IOC_CMD=./st.cmd\n");
        write("not a name", "IOC_CMD=x\n");

        Map<IocName, InstalledConf> confs = new ConfDirectory(layout()).scan();

        assertEquals(2, confs.size(), confs.toString());
        InstalledConf motor = confs.get(new IocName("motor1"));
        assertEquals("./st.cmd", motor.command());
        assertEquals("/opt/iocs/motor1", motor.workingDirectory());
        assertEquals(Path.of("/elsewhere/ctl"), motor.socketPath());
        assertEquals("", motor.problem());
        assertEquals(root.resolve("run/plain/control"), confs.get(new IocName("plain")).socketPath(),
                "no IOC_PORT: the standard socket");
    }

    @Test
    void aBrokenConfIsStillInstalledAndSaysWhy() throws IOException {
        write("broken", "IOC_CMD=./st.cmd --with blanks\n");

        InstalledConf conf = new ConfDirectory(layout()).scan().get(new IocName("broken"));

        assertEquals("", conf.command());
        assertTrue(conf.problem().contains("whitespace"), conf.problem());
    }

    @Test
    void anUnusableExtraPatternIsIgnoredWithAReason() throws IOException {
        write("usable", "CRASH_LOG_PATTERNS_EXTRA=\"motor stalled\"\n");
        write("degenerate", "CRASH_LOG_PATTERNS_EXTRA=\".\"\n");

        Map<IocName, InstalledConf> confs = new ConfDirectory(layout()).scan();

        assertTrue(confs.get(new IocName("usable")).extra().orElseThrow().matcher("X: Motor Stalled").find());
        InstalledConf degenerate = confs.get(new IocName("degenerate"));
        assertTrue(degenerate.extra().isEmpty());
        assertFalse(degenerate.problem().isEmpty());
    }

    @Test
    void aConfIsReadAgainOnlyWhenItChanged() throws IOException {
        ConfDirectory dir = new ConfDirectory(layout());
        Path file = write("m", "IOC_CMD=one\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        InstalledConf first = dir.scan().get(new IocName("m"));

        assertTrue(first == dir.scan().get(new IocName("m")), "same version: the same reading");

        write("m", "IOC_CMD=two\n"); // a new inode, as install writes it
        assertEquals("two", dir.refresh(new IocName("m")).orElseThrow().command());

        Files.delete(file);
        assertTrue(dir.refresh(new IocName("m")).isEmpty());
        assertTrue(dir.get(new IocName("m")).isEmpty());
    }

    @Test
    void anUnreadableConfIsReportedOnceAndKeptAsInstalled() throws IOException {
        ConfDirectory dir = new ConfDirectory(layout());
        Files.createDirectories(root.resolve("conf"));
        Files.createSymbolicLink(root.resolve("conf/u.conf"), Files.writeString(root.resolve("elsewhere"), "IOC_CMD=x\n"));
        IocName u = new IocName("u");

        InstalledConf read = dir.refresh(u).orElseThrow(() -> new AssertionError("IOC u: a conf that cannot be read is still installed"));

        assertTrue(read.unreadable(), read.toString());
        assertEquals(read, dir.get(u).orElseThrow(), "get gives what was read");
        java.util.List<String> failures = dir.takeReadFailures();
        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("IOC 'u': cannot read "), failures.get(0));
        assertEquals(java.util.List.of(), dir.takeReadFailures(), "each failure is taken once");
        dir.refresh(u);
        assertEquals(java.util.List.of(), dir.takeReadFailures(), "the same version is not read (nor reported) again");

        write("v", "I=\"\u00e9\"\nnot a line\n");
        InstalledConf v = dir.refresh(new IocName("v")).orElseThrow();
        assertFalse(v.unreadable(), "a conf with a syntax error was read");
        assertFalse(v.problem().isEmpty());
        assertEquals(java.util.List.of(), dir.takeReadFailures(), "a syntax error is no read failure");
    }

    @Test
    void aConfThatCannotEvenBeStattedIsInstalledAndBrokenAndKeptAsItWas() throws IOException {
        ConfDirectory dir = new ConfDirectory(layout());
        Files.createDirectories(root.resolve("conf"));
        Path loop = root.resolve("conf/loop.conf");
        Files.createSymbolicLink(loop, loop.getFileName()); // stat fails: too many levels of symbolic links
        IocName name = new IocName("loop");

        InstalledConf read = dir.refresh(name).orElseThrow(
                () -> new AssertionError("IOC loop: a conf that cannot be statted is still installed"));
        assertFalse(read.problem().isEmpty(), "IOC loop: says why it is broken: " + read);
        assertEquals("", read.command());
        assertTrue(read == dir.refresh(name).orElseThrow(), "IOC loop: what was known is kept while stat keeps failing");
        assertEquals(read, dir.get(name).orElseThrow());
    }
}
