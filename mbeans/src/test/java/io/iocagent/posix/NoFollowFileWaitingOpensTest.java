package io.iocagent.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NoFollowFile#open} once a command line has allowed the JDK's opens of regular files. */
class NoFollowFileWaitingOpensTest {

    @TempDir
    Path dir;

    @BeforeEach
    void allow() {
        NoFollowFile.allowWaitingOpens();
    }

    @AfterEach
    void restore() {
        NoFollowFile.nativeOpensOnly();
    }

    @Test
    void aRegularFileIsReadAgainAndAgainFromItsStart() throws Exception {
        Path file = Files.writeString(dir.resolve("f.conf"), "0123456789");
        try (NoFollowFile f = NoFollowFile.open(file)) {
            assertTrue(f.isRegularFile());
            assertEquals(10, f.size());
            assertEquals(Files.getAttribute(file, "unix:ino"), f.inode());
            assertArrayEquals("0123".getBytes(StandardCharsets.US_ASCII), f.readAtMost(3));
            assertEquals(10, f.readAtMost(100).length);
            FileChannel ch = f.channel();
            ByteBuffer first = ByteBuffer.allocate(1);
            ch.read(first);
            assertEquals('0', first.get(0), "channel() starts at the file's start");
        }
    }

    @Test
    void linksDanglingOrNotAreRefusedAndMissingFilesSaySo() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        assertThrows(NoFollowFile.NotFollowedException.class, () -> NoFollowFile.open(link));
        assertThrows(NoFollowFile.NotFollowedException.class, () -> NoFollowFile.open(dangling));
        assertThrows(NoSuchFileException.class, () -> NoFollowFile.open(dir.resolve("missing")));
    }

    @Test
    void aFifoStillOpensAtOnceTheNativeWay() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try (NoFollowFile f = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> NoFollowFile.open(fifo))) {
            assertFalse(f.isRegularFile());
        }
    }

    @Test
    void aFileSwappedBetweenTheCheckAndTheOpenIsRefused() throws Exception {
        Path planted = Files.writeString(dir.resolve("planted"), "IOC_PORT=\"/tmp/x\"\n");
        Path checked = Files.writeString(dir.resolve("checked"), "IOC_PORT=\"\"\n");
        var seen = NoFollowFile.lstat(checked);
        Files.move(planted, checked, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // the swap
        FileSystemException e = assertThrows(FileSystemException.class, () -> NoFollowFile.openByJdk(checked, seen));
        assertTrue(e.getMessage().contains("replaced"), e.getMessage());
    }

    @Test
    void aLinkSwappedInBetweenTheCheckAndTheOpenIsNotFollowed() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        var seen = NoFollowFile.lstat(file);
        Files.delete(file);
        Files.createSymbolicLink(file, Files.writeString(dir.resolve("secret"), "s"));
        assertThrows(NoFollowFile.NotFollowedException.class, () -> NoFollowFile.openByJdk(file, seen));
    }

    @Test
    void whatTheJdkOpenedCannotBeChangedOrWalked() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        try (NoFollowFile f = NoFollowFile.open(file)) {
            assertThrows(IllegalStateException.class, () -> f.chmod(0600));
            assertThrows(IllegalStateException.class, () -> f.openIn("x"));
        }
    }
}
