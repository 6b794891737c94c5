package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data archives ({@code deploy/bin/ioc-runner}): the first run of a command
 * writes one for that command into the caller's cache, later runs map it, and nothing about an
 * archive — missing, foreign, stale, corrupt, owned by someone else, an unusable cache — ever
 * changes what a command prints or how it exits. The command is {@code view} of an IOC that is
 * not installed: it fails the same way every time and needs no systemd.
 */
class LauncherArchiveIT {

    private static final String MAPPED = "io.iocagent.cli.Main source: shared objects file";

    @TempDir
    Path dir;

    /** One run of the real launcher; {@code classLog} (may be null) receives the JVM's class-load log. */
    private record Run(int exit, String out, String err) {
    }

    private Run view(Map<String, String> extra, Path classLog) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("conf"));
        ProcessBuilder pb = new ProcessBuilder(AtomicInstallIT.launcher().toString(), "--local", "view", "nosuch");
        Map<String, String> env = pb.environment();
        env.remove("IOC_AGENT_JAVA_OPTS");
        env.remove("IOC_AGENT_CDS");
        env.remove("JAVA_TOOL_OPTIONS");
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        env.put("IOC_RUNNER_CONF_DIR", dir.resolve("conf").toString());
        env.put("IOC_RUNNER_LOG_DIR", dir.resolve("log").toString());
        env.putAll(extra);
        if (classLog != null) {
            env.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load:file=" + classLog);
        }
        pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not end within 120 s");
        String err = Files.readString(dir.resolve("err")).lines()
                .filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).reduce("", (a, b) -> a + b + "\n");
        return new Run(p.exitValue(), Files.readString(dir.resolve("out")), err);
    }

    private Run view() throws IOException, InterruptedException {
        return view(Map.of(), null);
    }

    private List<Path> archives() throws IOException {
        Path cache = dir.resolve("cache/ioc-agent");
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.getFileName().toString().startsWith("cli-")).toList();
        }
    }

    private boolean mainWasMapped(Map<String, String> extra) throws IOException, InterruptedException {
        Path log = dir.resolve("classes-" + System.nanoTime() + ".log");
        view(extra, log);
        return Files.readString(log, StandardCharsets.UTF_8).contains(MAPPED);
    }

    private static void sameAsWithout(Run expected, Run actual, String what) {
        assertEquals(expected.exit(), actual.exit(), what + ": exit status");
        assertEquals(expected.out(), actual.out(), what + ": standard output");
        assertEquals(expected.err(), actual.err(), what + ": standard error (no JVM warning about the archive)");
    }

    @Test
    void theFirstRunOfACommandWritesItsArchiveAndLaterRunsMapIt() throws Exception {
        Run plain = view(Map.of("IOC_AGENT_CDS", "0"), null);
        assertEquals(1, plain.exit(), "view of an IOC that is not installed fails: " + plain.err());
        assertTrue(plain.err().contains("Configuration file not found"), plain.err());
        assertEquals(List.of(), archives(), "IOC_AGENT_CDS=0 writes no archive");

        sameAsWithout(plain, view(), "the run that writes the archive");
        List<Path> written = archives();
        assertEquals(1, written.size(), "one archive: " + written);
        assertTrue(written.get(0).getFileName().toString().endsWith("-view.jsa"), "named after its command: " + written);
        assertTrue(Files.isRegularFile(written.get(0)) && Files.size(written.get(0)) > 0);

        sameAsWithout(plain, view(), "a run that maps the archive");
        assertTrue(mainWasMapped(Map.of()), "the second run loads the command line's classes from the archive");
        assertEquals(written, archives(), "mapping writes nothing new");
    }

    @Test
    void aCorruptOrForeignArchiveIsIgnoredWithoutAWord() throws Exception {
        Run plain = view(Map.of("IOC_AGENT_CDS", "0"), null);
        view();
        Path archive = archives().get(0);

        Files.delete(archive); // the JVM writes it read-only: replaced, not overwritten (as a plain user too)
        Files.writeString(archive, "not a class-data archive\n".repeat(100));
        sameAsWithout(plain, view(), "a corrupt archive");
        assertFalse(mainWasMapped(Map.of()), "a corrupt archive is not mapped");

        // a real archive, but of another command line's run: another jar's classes under this name
        Files.delete(archive);
        Path foreign = dir.resolve("foreign.jsa");
        Process p = new ProcessBuilder("java", "-XX:ArchiveClassesAtExit=" + foreign, "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assumeTrue(Files.isRegularFile(foreign), "this JVM wrote no dynamic archive for -version");
        Files.copy(foreign, archive);
        sameAsWithout(plain, view(), "an archive of another class path");
    }

    @Test
    void anArchiveSomeoneElseOwnsIsNeverMapped() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
        view();
        Path archive = archives().get(0);
        Process chown = new ProcessBuilder("chown", "nobody", archive.toString()).inheritIO().start();
        assertEquals(0, chown.waitFor());
        Run plain = view(Map.of("IOC_AGENT_CDS", "0"), null);
        assertFalse(mainWasMapped(Map.of()), "an archive owned by another user could carry any code; it is not mapped");
        sameAsWithout(plain, view(), "an archive of another user");
    }

    @Test
    void anUnusableCacheLeavesTheCommandAsItIs() throws Exception {
        Run plain = view(Map.of("IOC_AGENT_CDS", "0"), null);
        Files.writeString(dir.resolve("cache"), "a file where the cache directory would be");
        sameAsWithout(plain, view(), "a cache that cannot be created");

        Map<String, String> noHome = new HashMap<>();
        noHome.put("XDG_CACHE_HOME", "");
        noHome.put("HOME", "");
        sameAsWithout(plain, view(noHome, null), "no HOME and no XDG_CACHE_HOME");
    }

    @Test
    void javaOptionsOfTheCallerTurnTheArchiveOff() throws Exception {
        Run plain = view(Map.of("IOC_AGENT_CDS", "0"), null);
        sameAsWithout(plain, view(Map.of("IOC_AGENT_JAVA_OPTS", "-Xss1m"), null), "IOC_AGENT_JAVA_OPTS");
        assertEquals(List.of(), archives(), "IOC_AGENT_JAVA_OPTS may bring its own archive: none is written");
    }

    @Test
    void eachSupportedJavaWritesAndMapsItsOwnArchive() throws Exception {
        List<Path> javas = new ArrayList<>();
        try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
            homes.filter(h -> Files.isExecutable(h.resolve("bin/java")) && !Files.isSymbolicLink(h)).forEach(javas::add);
        }
        assumeTrue(!javas.isEmpty(), "no JDK under /usr/lib/jvm");
        Run plain = view(Map.of("IOC_AGENT_CDS", "0"), null);
        for (Path home : javas) {
            Map<String, String> java = Map.of("JAVA_HOME", home.toString());
            sameAsWithout(plain, view(java, null), home + ", writing its archive");
            sameAsWithout(plain, view(java, null), home + ", mapping it");
            assertTrue(mainWasMapped(java), home + ": the command line's classes come from its archive");
        }
    }
}
