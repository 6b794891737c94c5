package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.posix.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-user copy of JNA's native library: written once, reused, and never named to JNA when
 * anyone but the caller could have written it or when it is not whole; what is not trustworthy in
 * the caller's own directory is replaced, what lies in someone else's is left alone.
 */
class NativeDispatchCacheTest {

    @TempDir
    Path dir;
    private Path jar;
    private Path cache;
    private long uid;
    private byte[] library;

    @BeforeEach
    void setUp() throws IOException {
        jar = Files.writeString(dir.resolve("ioc-agent.jar"), "stands in for the jar: its size and time name the copy");
        cache = Files.createDirectories(dir.resolve("cache/ioc-agent"));
        uid = Posix.euid();
        try (InputStream in = NativeDispatchCache.class.getClassLoader().getResourceAsStream(NativeDispatchCache.resource())) {
            assertTrue(in != null, "JNA's library " + NativeDispatchCache.resource() + " is on the class path");
            library = in.readAllBytes();
        }
    }

    private Optional<Path> directory() throws IOException {
        return new NativeDispatchCache(jar, cache, uid).directory();
    }

    private Path copied() throws IOException {
        Optional<Path> d = directory();
        assertTrue(d.isPresent(), "a copy in the caller's own cache is named to JNA");
        Path lib = d.get().resolve(NativeDispatchCache.LIBRARY);
        assertTrue(Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS), lib + " is a regular file, not a link");
        assertArrayEquals(library, Files.readAllBytes(lib), "the copy is JNA's library, byte for byte");
        return lib;
    }

    @Test
    void theFirstRunCopiesTheLibraryAndLaterRunsReuseIt() throws IOException {
        Path lib = copied();
        assertEquals("jna-" + Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis() / 1000,
                lib.getParent().getFileName().toString(), "named after the jar's size and time");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lib.getParent())));
        Object inode = Files.getAttribute(lib, "unix:ino");
        FileTime written = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(lib, written);

        assertEquals(lib, copied(), "the same copy the second time");
        assertEquals(inode, Files.getAttribute(lib, "unix:ino"), "not written again");
        assertEquals(written, Files.getLastModifiedTime(lib), "not written again");
    }

    @Test
    void aLinkInPlaceOfTheLibraryIsReplacedNotFollowed() throws IOException {
        Path lib = copied();
        Path elsewhere = Files.write(dir.resolve("elsewhere.so"), library);
        Files.delete(lib);
        Files.createSymbolicLink(lib, elsewhere);

        assertEquals(lib, copied(), "a regular copy again at the same place");
        assertTrue(Files.exists(elsewhere), "the link's target is neither loaded nor touched");
    }

    @Test
    void aTruncatedLibraryIsReplacedByAWholeOne() throws IOException {
        Path lib = copied();
        Files.write(lib, Arrays.copyOf(library, library.length / 2));
        assertFalse(NativeDispatchCache.wholeElf(lib));

        copied();
        assertTrue(NativeDispatchCache.wholeElf(lib));
    }

    @Test
    void aLibraryOthersMayWriteIsReplaced() throws IOException {
        Path lib = copied();
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rw-rw-rw-"));

        copied();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lib)),
                "the fresh copy is the caller's alone");
    }

    @Test
    void aCacheOfAnotherUserIsNeitherUsedNorWritten() throws IOException {
        Path lib = copied();
        Files.setLastModifiedTime(lib, FileTime.fromMillis(1_000_000L));

        // the files are the test's; to a caller of another id they are another user's
        Optional<Path> other = new NativeDispatchCache(jar, cache, uid + 1).directory();
        assertEquals(Optional.empty(), other, "a library another user could have written is never named to JNA");
        assertEquals(FileTime.fromMillis(1_000_000L), Files.getLastModifiedTime(lib), "nor replaced in their directory");
    }

    @Test
    void aCacheDirectoryOthersMayWriteIsNotUsed() throws IOException {
        Files.createDirectories(cache);
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertEquals(Optional.empty(), directory(), "anyone could swap a library in a world-writable directory");
        try (var entries = Files.list(cache)) {
            assertEquals(0, entries.count(), "nothing written there either");
        }
    }

    @Test
    void noCacheDirectoryNoCopy() throws IOException {
        Files.delete(cache);
        assertEquals(Optional.empty(), directory(), "JNA unpacks its own copy");
        assertFalse(Files.exists(cache), "no cache directory is made (the launcher makes it, not with IOC_AGENT_CDS=0)");
    }

    @Test
    void aNewJarsCopyRemovesTheCopiesOfOlderJars() throws IOException {
        Path old = copied().getParent();
        Files.writeString(jar, "another build of the jar, of another size");

        Path fresh = copied().getParent();
        assertFalse(fresh.equals(old), "another jar, another copy");
        assertFalse(Files.exists(old), "the older jar's copy is gone");
    }

    @Test
    void onlyAWholeElfFileCountsAsWhole() throws IOException {
        Path lib = Files.write(dir.resolve(NativeDispatchCache.LIBRARY), library);
        assertTrue(NativeDispatchCache.wholeElf(lib), "JNA's own library is whole");
        for (int cut : new int[] {0, 16, 63, 64, 1000, library.length / 2, library.length - 4096, library.length - 1}) {
            Files.write(lib, Arrays.copyOf(library, cut));
            assertFalse(NativeDispatchCache.wholeElf(lib), "cut at " + cut + " of " + library.length + " bytes");
        }
        Files.write(lib, "#!/bin/sh\necho not a library\n".repeat(10).getBytes());
        assertFalse(NativeDispatchCache.wholeElf(lib), "a script is not a library");
    }

    @Test
    void theCacheIsXdgCacheHomeElseHome() {
        assertEquals(Optional.of(Path.of("/x/ioc-agent")), NativeDispatchCache.cacheDirectory(Map.of("XDG_CACHE_HOME", "/x", "HOME", "/h")));
        assertEquals(Optional.of(Path.of("/h/.cache/ioc-agent")), NativeDispatchCache.cacheDirectory(Map.of("XDG_CACHE_HOME", "rel", "HOME", "/h")));
        assertEquals(Optional.empty(), NativeDispatchCache.cacheDirectory(Map.of()), "no HOME: no copy");
    }
}
