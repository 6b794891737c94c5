package io.iocagent.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes procServ log lines for unit tests of the start verdict, as procServ appends them. */
final class ProcServLogs {

    private ProcServLogs() {
    }

    /** Appends {@code lines}, each ended by a newline, creating the log if needed. */
    static void append(Path log, String... lines) {
        try {
            Files.writeString(log, String.join("\n", lines) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
