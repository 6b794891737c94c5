package io.iocagent.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening files without following links: what is refused, and that what was opened is what is described. */
class NoFollowFileTest {

    @TempDir
    Path dir;

    @Test
    void aLinkInTheLastComponentIsRefusedDanglingOrNot() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));

        assertThrows(NoFollowFile.NotFollowedException.class, () -> NoFollowFile.open(link));
        assertThrows(NoFollowFile.NotFollowedException.class, () -> NoFollowFile.openOrCreate(link, 0600));
        assertThrows(NoFollowFile.NotFollowedException.class, () -> NoFollowFile.openOrCreate(dangling, 0600));
        assertFalse(Files.exists(dir.resolve("nowhere")), "creating through a dangling link made its target");
    }

    @Test
    void openOrCreateMakesAFileOnceAndChmodChangesWhatWasOpened() throws Exception {
        Path file = dir.resolve("history");
        try (NoFollowFile f = NoFollowFile.openOrCreate(file, 0600)) {
            assertTrue(f.created());
            assertTrue(f.isRegularFile());
            f.chmod(0640);
        }
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (NoFollowFile again = NoFollowFile.openOrCreate(file, 0600)) {
            assertFalse(again.created());
            assertEquals(0640, again.permissions());
            assertEquals(Posix.euid(), again.ownerUid());
            assertEquals(1, again.links());
        }
    }

    @Test
    void aFifoOpensAtOnceAndSaysItIsNotARegularFile() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try (NoFollowFile f = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> NoFollowFile.open(fifo))) {
            assertFalse(f.isRegularFile());
        }
    }

    @Test
    void readAtMostStopsOneBytePastTheLimit() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "0123456789");
        try (NoFollowFile f = NoFollowFile.open(file)) {
            assertArrayEquals("0123".getBytes(StandardCharsets.US_ASCII), f.readAtMost(3));
            assertEquals(10, f.readAtMost(100).length);
            assertEquals(10, f.size());
        }
    }

    @Test
    void readAtMostReadsWhatAFileGrewToAfterTheOpenUpToOnePastTheLimit() throws Exception {
        Path file = Files.writeString(dir.resolve("growing"), "0123456789");
        try (NoFollowFile f = NoFollowFile.open(file)) {
            Files.writeString(file, "x".repeat(5000), java.nio.file.StandardOpenOption.APPEND);
            assertEquals(10, f.size(), "size is what the open saw");
            assertEquals(5010, f.readAtMost(65536).length, "the whole grown file, not the size seen at the open");
            byte[] capped = f.readAtMost(4096);
            assertEquals(4097, capped.length, "one byte past a limit the file outgrew, so the caller sees 'too large'");
            assertEquals("0123456789x", new String(capped, 0, 11, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void openInWalksOneComponentAndRefusesLinksAndPaths() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Files.writeString(sub.resolve("file"), "x");
        Files.createSymbolicLink(dir.resolve("linked"), sub);
        try (NoFollowFile d = NoFollowFile.open(dir)) {
            assertTrue(d.isDirectory());
            try (NoFollowFile s = d.openIn("sub"); NoFollowFile f = s.openIn("file")) {
                assertTrue(f.isRegularFile());
                assertEquals(sub.resolve("file"), f.path());
            }
            assertThrows(NoFollowFile.NotFollowedException.class, () -> d.openIn("linked"));
            assertThrows(NoSuchFileException.class, () -> d.openIn("missing"));
            assertThrows(IllegalArgumentException.class, () -> d.openIn(".."));
            assertThrows(IllegalArgumentException.class, () -> d.openIn("sub/file"));
        }
    }

    @Test
    void theNoFollowFlagIsTheArchitecturesOwn() {
        assertEquals(0400000, NoFollowFile.nofollowFlag("amd64"));
        assertEquals(0100000, NoFollowFile.nofollowFlag("aarch64"));
        assertEquals(0100000, NoFollowFile.nofollowFlag("ppc64le"));
    }
}
