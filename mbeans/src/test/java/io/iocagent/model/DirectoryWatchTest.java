package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files of the conf and log directories changed, including directories that appear later. */
class DirectoryWatchTest {

    @TempDir
    Path root;

    private record Change(Path dir, Optional<Path> file) {
    }

    private final LinkedBlockingQueue<Change> changes = new LinkedBlockingQueue<>();

    private void awaitChange(Change expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Change c = changes.poll(100, TimeUnit.MILLISECONDS);
            if (expected.equals(c)) {
                return;
            }
        }
        throw new AssertionError("no " + expected + " reported");
    }

    @Test
    void reportsCreatedEditedAndRemovedFilesByName() throws IOException, InterruptedException {
        Path conf = Files.createDirectory(root.resolve("conf"));
        try (DirectoryWatch watch = new DirectoryWatch(List.of(conf), (d, f) -> changes.add(new Change(d, f)))) {
            Path file = Files.writeString(conf.resolve("m.conf"), "IOC_CMD=x\n");
            awaitChange(new Change(conf, Optional.of(Path.of("m.conf"))));
            changes.clear();
            Files.writeString(file, "IOC_CMD=y\n");
            awaitChange(new Change(conf, Optional.of(Path.of("m.conf"))));
            changes.clear();
            Files.delete(file);
            awaitChange(new Change(conf, Optional.of(Path.of("m.conf"))));
        }
    }

    @Test
    void aDirectoryThatAppearsLaterIsWatchedAndReportedWhole() throws IOException, InterruptedException {
        Path conf = root.resolve("conf");
        Path log = Files.createDirectory(root.resolve("log"));
        try (DirectoryWatch watch = new DirectoryWatch(List.of(conf, log), (d, f) -> changes.add(new Change(d, f)))) {
            Files.createDirectory(conf);
            awaitChange(new Change(conf, Optional.empty()));
            Files.writeString(conf.resolve("m.conf"), "IOC_CMD=x\n");
            awaitChange(new Change(conf, Optional.of(Path.of("m.conf"))));
            Files.writeString(log.resolve("m.log"), "line\n");
            awaitChange(new Change(log, Optional.of(Path.of("m.log"))));
        }
    }

    @Test
    void aDeletedDirectoryIsReportedWholeAndWatchedAgainWhenRecreated() throws IOException, InterruptedException {
        Path conf = Files.createDirectory(root.resolve("conf"));
        try (DirectoryWatch watch = new DirectoryWatch(List.of(conf), (d, f) -> changes.add(new Change(d, f)))) {
            Files.delete(conf);
            awaitChange(new Change(conf, Optional.empty()));
            Files.createDirectory(conf); // no clear(): the watch may already report it
            awaitChange(new Change(conf, Optional.empty()));
            Files.writeString(conf.resolve("n.conf"), "IOC_CMD=x\n");
            awaitChange(new Change(conf, Optional.of(Path.of("n.conf"))));
        }
    }

    @Test
    void rearmingWhatIsWatchedReportsNothingAndTheWatchThreadNeverKeepsTheJvmAlive() throws Exception {
        Path conf = Files.createDirectory(root.resolve("conf"));
        try (DirectoryWatch watch = new DirectoryWatch(List.of(conf), (d, f) -> changes.add(new Change(d, f)))) {
            watch.rearm();
            watch.rearm();
            assertEquals(List.of(), List.copyOf(changes), "a directory already watched is not reported again by a poll");
            Set<Thread> watchers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("ioc-model-watch")).collect(Collectors.toSet());
            assertFalse(watchers.isEmpty(), "the watch runs on its own thread");
            watchers.forEach(t -> assertTrue(t.isDaemon(), "the watch thread is a daemon"));
        }
    }

    @Test
    void afterCloseAPollWatchesAndReportsNothing() throws Exception {
        Path conf = root.resolve("conf");
        DirectoryWatch watch = new DirectoryWatch(List.of(conf), (d, f) -> changes.add(new Change(d, f)));
        watch.close();
        Files.createDirectory(conf);
        watch.rearm();
        assertEquals(List.of(), List.copyOf(changes), "a closed watch registers nothing and reports nothing");
    }
}
