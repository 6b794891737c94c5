package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The installed confs of {@code CONF_DIR}, kept up to date by listing the directory and reading
 * only the files whose {@link FileStamp} changed, so that a poll of 500 IOCs costs a directory
 * listing and 500 {@code stat}s. A missing directory is an empty one.
 *
 * <p>Thread-safe (synchronised): the poll thread lists, the model thread re-reads changed confs.
 */
final class ConfDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(ConfDirectory.class);

    private final Layout layout;
    private final Map<IocName, InstalledConf> confs = new HashMap<>();
    private final List<String> readFailures = new ArrayList<>();

    ConfDirectory(Layout layout) {
        this.layout = layout;
    }

    /**
     * Lists the directory and re-reads the confs that changed.
     *
     * @return every installed conf by IOC name (a view, valid until the next call)
     * @throws IOException when the directory exists but cannot be listed
     */
    synchronized Map<IocName, InstalledConf> scan() throws IOException {
        Set<IocName> listed = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.confDir(), "*.conf")) {
            for (Path file : files) {
                String base = IocName.baseName(file.getFileName().toString());
                if (IocName.isValid(base)) {
                    listed.add(new IocName(base));
                }
            }
        } catch (NoSuchFileException e) {
            // No directory yet: nothing installed.
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        confs.keySet().retainAll(listed);
        for (IocName name : listed) {
            refresh(name);
        }
        return confs;
    }

    /**
     * Re-reads the conf of {@code name} if it changed (or forgets it if it is gone).
     *
     * @return the current conf, empty when {@code name} is not installed
     */
    synchronized Optional<InstalledConf> refresh(IocName name) {
        Path file = layout.confFile(name);
        Optional<FileStamp> stamp;
        try {
            stamp = FileStamp.of(file);
        } catch (IOException e) {
            // Present but not stat-able: keep what we had, or list it as broken.
            InstalledConf known = confs.get(name);
            if (known == null) {
                known = InstalledConf.read(layout, name, file, new FileStamp(null, null, -1));
                confs.put(name, known);
            }
            return Optional.of(known);
        }
        if (stamp.isEmpty()) {
            confs.remove(name);
            return Optional.empty();
        }
        InstalledConf known = confs.get(name);
        if (known == null || !known.stamp().equals(stamp.get())) {
            known = InstalledConf.read(layout, name, file, stamp.get());
            if (known.unreadable()) {
                readFailures.add("IOC '" + name + "': " + known.problem());
            } else if (!known.problem().isEmpty()) {
                LOG.warn("IOC '{}': {}", name, known.problem());
            }
            confs.put(name, known);
        }
        return Optional.of(known);
    }

    /**
     * The confs that could not be read since the last call, one message each naming the IOC and
     * the file; each version of a file is read (and so reported) once. The refresher counts and
     * logs them as refresh errors and goes on with every other IOC.
     */
    synchronized List<String> takeReadFailures() {
        List<String> taken = List.copyOf(readFailures);
        readFailures.clear();
        return taken;
    }

    /** The conf of {@code name} as last read, without touching the file system. */
    synchronized Optional<InstalledConf> get(IocName name) {
        return Optional.ofNullable(confs.get(name));
    }
}
