package io.iocagent.agent;

import io.iocagent.ops.AuditLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Sends the audit log ({@value AuditLog#LOGGER}) to its own file as well: one line per event. */
final class AuditFile {

    /** Held so java.util.logging cannot drop the configured logger. */
    private static final Logger AUDIT = Logger.getLogger(AuditLog.LOGGER);

    private AuditFile() {
    }

    static void attach(Path file) throws IOException {
        FileHandler handler = new FileHandler(file.toString(), true);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                return r.getMessage() + System.lineSeparator();
            }
        });
        AUDIT.addHandler(handler);
    }
}
