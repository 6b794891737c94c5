package io.iocagent.conf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uses the test user's own primary group as "the IOC group", so it runs unprivileged; only the
 * foreign-group parent case needs a second group and is skipped when it cannot be set.
 */
class ChdirConformanceTest {

    @TempDir
    Path tmp;

    private Path parent;
    private Path leaf;
    private String group;

    @BeforeEach
    void createConformingTree() throws Exception {
        mode(tmp, 0755);
        parent = Files.createDirectory(tmp.resolve("opt"));
        mode(parent, 0755);
        leaf = Files.createDirectory(parent.resolve("iocx"));
        mode(leaf, 02775);
        group = Files.readAttributes(leaf, PosixFileAttributes.class).group().getName();
    }

    private static void mode(Path path, int mode) throws IOException {
        Files.setAttribute(path, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void setgidGroupWritableDirectoryReachableByOthersConforms() {
        assertTrue(ChdirConformance.conformsToSystemModel(leaf, group));
    }

    @Test
    void directoryOfAnotherGroupDoesNotConform() {
        assertFalse(ChdirConformance.conformsToSystemModel(leaf, group + "-not"));
    }

    @Test
    void directoryWithoutSetgidDoesNotConform() throws Exception {
        mode(leaf, 0775);
        assertFalse(ChdirConformance.conformsToSystemModel(leaf, group));
    }

    @Test
    void directoryWithoutGroupWriteDoesNotConform() throws Exception {
        mode(leaf, 02755);
        assertFalse(ChdirConformance.conformsToSystemModel(leaf, group));
    }

    @Test
    void directoryWithoutGroupExecuteDoesNotConform() throws Exception {
        mode(leaf, 02765);
        assertFalse(ChdirConformance.conformsToSystemModel(leaf, group));
    }

    @Test
    void symlinkedLeafDoesNotConformEvenIfItsTargetDoes() throws Exception {
        Path link = Files.createSymbolicLink(parent.resolve("link"), leaf);
        assertFalse(ChdirConformance.conformsToSystemModel(link, group));
    }

    @Test
    void pathThroughASymlinkedParentDoesNotConform() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("opt-link"), parent);
        assertFalse(ChdirConformance.conformsToSystemModel(link.resolve("iocx"), group));
    }

    @Test
    void parentClosedToTheGroupDoesNotConform() throws Exception {
        mode(parent, 0700);
        assertFalse(ChdirConformance.conformsToSystemModel(leaf, group));
    }

    @Test
    void parentTraversableThroughTheIocGroupConforms() throws Exception {
        mode(parent, 0750);
        assertTrue(ChdirConformance.conformsToSystemModel(leaf, group));
    }

    @Test
    void parentTraversableByOthersConformsWhateverItsGroup() throws Exception {
        mode(parent, 0701);
        assertTrue(ChdirConformance.conformsToSystemModel(leaf, group));
    }

    @Test
    void groupExecuteOfAnotherGroupDoesNotMakeTheParentTraversable() throws Exception {
        GroupPrincipal other = otherGroup();
        Files.getFileAttributeView(parent, PosixFileAttributeView.class).setGroup(other);
        mode(parent, 0750);
        assertFalse(ChdirConformance.conformsToSystemModel(leaf, group));
    }

    @Test
    void relativePathDoesNotConform() {
        assertFalse(ChdirConformance.conformsToSystemModel(tmp.relativize(leaf), group));
    }

    @Test
    void missingDirectoryDoesNotConform() {
        assertFalse(ChdirConformance.conformsToSystemModel(parent.resolve("absent"), group));
    }

    @Test
    void regularFileDoesNotConform() throws Exception {
        Path file = Files.createFile(parent.resolve("file"));
        mode(file, 02775);
        assertFalse(ChdirConformance.conformsToSystemModel(file, group));
    }

    /** A group other than the leaf's that this user may give a directory, or skip the test. */
    private GroupPrincipal otherGroup() {
        for (String name : new String[] {"daemon", "bin", "sys", "adm", "nogroup", "users"}) {
            if (name.equals(group)) {
                continue;
            }
            try {
                GroupPrincipal candidate = tmp.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByGroupName(name);
                Path probe = Files.createDirectory(tmp.resolve("probe-" + name));
                Files.getFileAttributeView(probe, PosixFileAttributeView.class).setGroup(candidate);
                return candidate;
            } catch (IOException e) {
                // not a group of this host, or this user may not chgrp to it: try the next one
            }
        }
        return abort("needs a second group this user may chgrp to (root, or a supplementary group)");
    }
}
