package io.iocagent.model;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells which files of a few directories were created, changed or removed, through one
 * {@link WatchService} (inotify on Linux) and one thread that does nothing but hand the names on.
 *
 * <p>A directory that does not exist yet is not an error: its parent is watched for it to appear
 * (then the directory itself is watched and reported as wholly changed), and {@link #rearm()}, which
 * the owner calls on every poll, catches whatever the watch could not (no parent either, a
 * directory deleted and recreated). When the kernel drops events ({@code OVERFLOW}) the directory
 * is reported as wholly changed.
 *
 * <p>The listener receives the watched directory and the changed file's name, or an empty name when
 * anything in the directory may have changed. It runs on the watch thread and must return at once.
 *
 * <p>Thread-safe.
 */
final class DirectoryWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatch.class);

    private final List<Path> directories;
    private final BiConsumer<Path, Optional<Path>> listener;
    private final WatchService service;
    /**
     * What each key watches: directories of {@link #directories}, or the parent of a missing one.
     * One key may serve several targets (two missing directories with one parent, or a directory
     * that is also another's parent), as a second registration of a path returns the same key.
     */
    private final Map<WatchKey, Set<Target>> keys = new ConcurrentHashMap<>();
    private final Thread thread;

    /** A registration: {@code directory} itself, or its parent while it is missing. */
    private record Target(Path directory, boolean parent) {
    }

    /**
     * Starts watching {@code directories} (absolute paths).
     *
     * @throws IOException when no watch service can be created (e.g. inotify instances exhausted)
     */
    DirectoryWatch(List<Path> directories, BiConsumer<Path, Optional<Path>> listener) throws IOException {
        this.directories = List.copyOf(directories);
        this.listener = Objects.requireNonNull(listener, "listener");
        this.service = FileSystems.getDefault().newWatchService();
        arm(false);
        this.thread = new Thread(this::run, "ioc-model-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Watches every directory that exists and is not watched yet (or its parent while it is
     * missing), reporting a directory that becomes watched as wholly changed. Cheap when nothing
     * changed.
     */
    void rearm() {
        arm(true);
    }

    private synchronized void arm(boolean notify) {
        for (Path dir : directories) {
            Target itself = new Target(dir, false);
            Target waiting = new Target(dir, true);
            if (isWatched(itself)) {
                continue;
            }
            if (!Files.isDirectory(dir)) {
                if (isWatched(waiting) || dir.getParent() == null || !register(dir.getParent(), waiting)
                        || !Files.isDirectory(dir)) {
                    continue; // the parent's watch says when it appears
                }
                // It appeared between the check and the parent's registration: watch it now.
            }
            if (register(dir, itself)) {
                unregister(waiting);
                if (notify) {
                    listener.accept(dir, Optional.empty());
                }
            }
        }
    }

    private boolean isWatched(Target target) {
        return keys.entrySet().stream().anyMatch(e -> e.getKey().isValid() && e.getValue().contains(target));
    }

    private boolean register(Path watched, Target target) {
        try {
            WatchKey key = watched.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
            keys.computeIfAbsent(key, k -> new CopyOnWriteArraySet<>()).add(target);
            return true;
        } catch (IOException | ClosedWatchServiceException e) {
            LOG.debug("Cannot watch {} (for {}): {}", watched, target.directory(), e.toString());
            return false;
        }
    }

    private void unregister(Target target) {
        keys.forEach((key, targets) -> {
            if (targets.remove(target) && targets.isEmpty()) {
                key.cancel();
                keys.remove(key);
            }
        });
    }

    private void run() {
        while (true) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Set<Target> targets = keys.getOrDefault(key, Set.of());
            for (WatchEvent<?> event : key.pollEvents()) {
                for (Target target : targets) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        if (target.parent()) {
                            rearm();
                        } else {
                            listener.accept(target.directory(), Optional.empty());
                        }
                    } else if (target.parent()) {
                        if (target.directory().getFileName().equals(event.context())) {
                            rearm();
                        }
                    } else {
                        listener.accept(target.directory(), Optional.of((Path) event.context()));
                    }
                }
            }
            if (!key.reset()) {
                keys.remove(key);
                for (Target target : targets) {
                    if (!target.parent()) {
                        // The directory itself went away: so did everything in it.
                        listener.accept(target.directory(), Optional.empty());
                    }
                }
                rearm();
            }
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("Closing the directory watch failed", e);
        }
        thread.interrupt();
    }
}
