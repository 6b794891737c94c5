package io.iocagent.ops;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what one java.util.logging logger writes while open (the audit log, endpoint warnings). */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger;

    public LogCapture(String loggerName) {
        logger = Logger.getLogger(loggerName);
        logger.addHandler(this);
    }

    /** The audit log's lines. */
    public static LogCapture audit() {
        return new LogCapture(AuditLog.LOGGER);
    }

    public List<String> lines() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    public List<String> lines(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level)).map(LogRecord::getMessage).toList();
    }

    /** The lines once there are at least {@code n}, or after 5 s; the agent writes them as the response ends. */
    public List<String> await(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (records.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return lines();
    }

    /**
     * The lines that record how an operation ended (not the {@code outcome=started} lines written
     * when one begins), once there are at least {@code n}, or after 5 s.
     */
    public List<String> awaitEnded(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ended().size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return ended();
    }

    private List<String> ended() {
        return lines().stream().filter(l -> !l.contains(" outcome=started ")).toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
