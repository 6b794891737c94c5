package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.Behaviour;
import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code list -vv} through the real launcher loads JNA's native library from the caller's cache
 * ({@link NativeDispatchCache}) instead of unpacking it, and a link, a truncated copy or a cache
 * directory others may write is never loaded: the command still answers, from a fresh copy or
 * from JNA's own unpacked one. The JVM's library log (a file, so the output stays the command's)
 * says which file was loaded, and its class log that no process was started (JNA's search for
 * libraries runs {@code /sbin/ldconfig -p} unless given a path). The fleet: one running stand-in IOC (the socket survey needs one).
 */
class NativeDispatchCacheIT {

    private static final Pattern LOADED = Pattern.compile("Loaded library (\\S*(?:jnidispatch|/JNA/temp/jna)\\S*),");

    private static TestBed bed;
    private static String ioc;

    @TempDir
    Path dir;

    @BeforeAll
    static void oneRunningIoc() {
        bed = TestBed.open();
        ioc = bed.iocName("jna-cache");
        Path boot = bed.iocBoot(ioc, Behaviour.HEALTHY);
        assertEquals(0, CliRun.of(bed.env(), "--local", "generate", boot.toString()).exit());
        assertEquals(0, CliRun.of(bed.env(), "--local", "install", boot.toString()).exit());
        assertEquals(0, CliRun.of(bed.env(), "--local", "start", ioc).exit());
    }

    @AfterAll
    static void cleanUp() {
        if (bed != null) {
            bed.close();
        }
    }

    /** Runs {@code list -vv} through the launcher; returns the jnidispatch file the JVM loaded. */
    private Path listLoads() throws IOException, InterruptedException {
        Path log = dir.resolve("library-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(AtomicInstallIT.launcher().toString(), "--local", "list", "-vv");
        Map<String, String> env = pb.environment();
        env.remove("IOC_AGENT_JAVA_OPTS");
        env.remove("IOC_AGENT_CDS");
        env.putAll(bed.env());
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        env.put("JAVA_TOOL_OPTIONS", "-Xlog:library=info,class+load=info:file=" + log);
        pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "list -vv did not end within 120 s");
        String err = Files.readString(dir.resolve("err")).lines()
                .filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).reduce("", (a, b) -> a + b + "\n");
        assertEquals(0, p.exitValue(), "list -vv: " + err);
        // (the test bed's own log directory earns a warning about install-time settings; nothing else may show)
        for (String word : new String[] {"JNA", "jnidispatch", "library", "Exception", "Error"}) {
            assertFalse(err.contains(word), "list -vv says nothing about the native library: " + err);
        }
        assertTrue(Files.readString(dir.resolve("out")).contains(ioc), "list -vv shows " + ioc);
        String jvmLog = Files.readString(log);
        assertFalse(jvmLog.contains(" java.lang.ProcessImpl "),
                "list -vv starts no process (JNA, left to itself, runs /sbin/ldconfig -p for a search path nothing reads)");
        Matcher m = LOADED.matcher(jvmLog);
        assertTrue(m.find(), "list -vv loads JNA's native library (the socket survey): " + log);
        return Path.of(m.group(1));
    }

    private Path cached() throws IOException {
        try (Stream<Path> dirs = Files.list(dir.resolve("cache/ioc-agent"))) {
            Path jna = dirs.filter(d -> d.getFileName().toString().startsWith("jna-")).findFirst().orElseThrow();
            return jna.resolve(NativeDispatchCache.LIBRARY).toRealPath(LinkOption.NOFOLLOW_LINKS);
        }
    }

    @Test
    void listLoadsTheCachedLibraryAndNeverALinkOrATruncatedCopy() throws Exception {
        Path first = listLoads();
        Path lib = cached();
        assertEquals(lib, first.toRealPath(), "the first run already loads the copy it wrote");
        Object inode = Files.getAttribute(lib, "unix:ino");
        assertEquals(lib, listLoads().toRealPath(), "a later run loads the same copy");
        assertEquals(inode, Files.getAttribute(lib, "unix:ino"), "and does not write it again");

        Path elsewhere = Files.copy(lib, dir.resolve("elsewhere.so"));
        Files.delete(lib);
        Files.createSymbolicLink(lib, elsewhere);
        assertEquals(lib, listLoads().toRealPath(), "a link in the library's place: a fresh copy is loaded");
        assertTrue(Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS), "the link was replaced");

        byte[] whole = Files.readAllBytes(lib);
        Files.write(lib, java.util.Arrays.copyOf(whole, whole.length / 3));
        assertEquals(lib, listLoads().toRealPath(), "a truncated copy: a whole one is loaded");
        assertTrue(NativeDispatchCache.wholeElf(lib), "the truncated copy was replaced");
    }

    @Test
    void aCacheOthersMayWriteIsNotUsedAndTheCommandStillAnswers() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache/ioc-agent"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));

        Path loaded = listLoads();
        assertFalse(loaded.startsWith(cache), "not loaded from a directory anyone may write: " + loaded);
        try (Stream<Path> entries = Files.list(cache)) {
            assertTrue(entries.noneMatch(e -> e.getFileName().toString().startsWith("jna-")), "nor copied there");
        }
    }
}
