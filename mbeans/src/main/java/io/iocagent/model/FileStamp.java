package io.iocagent.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

/**
 * One version of a file as {@code stat} tells it: a different value means the file must be read
 * again. The inode ({@code fileKey}) catches the atomic rename install uses, the modification time
 * and size catch edits in place.
 *
 * @param fileKey  {@link BasicFileAttributes#fileKey()} (device and inode on Linux), may be null
 * @param modified last modification
 * @param size     bytes
 */
record FileStamp(Object fileKey, FileTime modified, long size) {

    /** The stamp of {@code file} now, following symlinks; empty when there is no such file. */
    static Optional<FileStamp> of(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.isRegularFile()
                    ? Optional.of(new FileStamp(a.fileKey(), a.lastModifiedTime(), a.size()))
                    : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
