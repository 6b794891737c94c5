package io.iocagent.conf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    private static final Set<PosixFilePermission> RW_GROUP = PosixFilePermissions.fromString("rw-rw----");
    private static final Set<PosixFilePermission> RW_OWNER = PosixFilePermissions.fromString("rw-------");

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void createsTheFileWithContentAndExactPermissionsAndNoLeftovers() throws Exception {
        Path target = dir.resolve("x.conf");
        AtomicFiles.write(target, "A=1\n".getBytes(StandardCharsets.UTF_8), RW_GROUP);
        assertEquals("A=1\n", Files.readString(target));
        assertEquals(RW_GROUP, Files.getPosixFilePermissions(target));
        assertEquals(List.of("x.conf"), names());
    }

    @Test
    void replacesAnExistingFileAndItsPermissions() throws Exception {
        Path target = dir.resolve("x.conf");
        Files.writeString(target, "old content that is longer\n");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));
        AtomicFiles.write(target, "new\n".getBytes(StandardCharsets.UTF_8), RW_OWNER);
        assertEquals("new\n", Files.readString(target));
        assertEquals(RW_OWNER, Files.getPosixFilePermissions(target));
        assertEquals(List.of("x.conf"), names());
    }

    @Test
    void failedReplacementRemovesTheStagedFileAndLeavesTheTargetAlone() throws Exception {
        Path target = Files.createDirectory(dir.resolve("x.conf"));
        Files.writeString(target.resolve("inside"), "keep");
        assertThrows(IOException.class,
                () -> AtomicFiles.write(target, "A=1\n".getBytes(StandardCharsets.UTF_8), RW_GROUP));
        assertEquals(List.of("x.conf"), names());
        assertEquals("keep", Files.readString(target.resolve("inside")));
    }

    @Test
    void missingDirectoryFailsWithoutCreatingIt() {
        Path target = dir.resolve("absent/x.conf");
        assertThrows(NoSuchFileException.class, () -> AtomicFiles.write(target, new byte[] {1}, RW_GROUP));
        assertFalse(Files.exists(target.getParent()));
    }

    @Test
    void concurrentReaderSeesOnlyTheOldOrTheNewContent() throws Exception {
        Path target = dir.resolve("x.conf");
        byte[] small = "IOC_PORT=\"a\"\n".getBytes(StandardCharsets.UTF_8);
        byte[] large = ("# " + "x".repeat(256 * 1024) + "\nIOC_PORT=\"b\"\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(target, small, RW_OWNER);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!done.get() && torn.get() == null) {
                try {
                    byte[] seen = Files.readAllBytes(target);
                    if (!Arrays.equals(seen, small) && !Arrays.equals(seen, large)) {
                        torn.set("read " + seen.length + " bytes");
                    }
                } catch (IOException e) {
                    torn.set(e.toString());
                }
            }
        });
        reader.start();
        for (int i = 0; i < 200; i++) {
            AtomicFiles.write(target, i % 2 == 0 ? large : small, RW_OWNER);
        }
        done.set(true);
        reader.join();
        assertNull(torn.get(), torn::get);
        assertArrayEquals(small, Files.readAllBytes(target));
    }

    @Test
    void sameContentComparesBytes() throws Exception {
        Path file = Files.writeString(dir.resolve("x.conf"), "A=1\n");
        assertTrue(AtomicFiles.sameContent(file, "A=1\n".getBytes(StandardCharsets.UTF_8)));
        assertFalse(AtomicFiles.sameContent(file, "A=2\n".getBytes(StandardCharsets.UTF_8)));
        assertFalse(AtomicFiles.sameContent(file, "A=1\n\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void missingFileNeverHasTheSameContent() throws Exception {
        assertFalse(AtomicFiles.sameContent(dir.resolve("absent"), new byte[0]));
    }
}
