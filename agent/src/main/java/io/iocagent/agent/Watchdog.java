package io.iocagent.agent;

import io.iocagent.model.SnapshotSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the agent process when it can no longer do its job, so that systemd restarts it
 * ({@code Restart=on-failure}) instead of leaving it alive and deaf. The JVM option
 * {@code -XX:+ExitOnOutOfMemoryError} (set by the launcher) already ends it on any
 * {@link OutOfMemoryError} the JVM throws, wherever it is caught; this class covers the rest:
 * <ul>
 * <li>an {@link Error} that escapes any thread ({@link #install}: the default uncaught-exception
 * handler);</li>
 * <li>a dead essential thread: a JDK HTTP server's dispatcher (it accepts every connection of its
 * endpoint; when it dies the port stays open but nothing is ever answered);</li>
 * <li>a model that stopped refreshing: no poll for {@link #staleAfter} (the poll runs every
 * {@code poll.interval}; a poll task that died inside its executor leaves no dead thread behind).</li>
 * </ul>
 * Each ends the process with {@link #EXIT_STATUS} through {@link Runtime#halt} (shutdown hooks
 * could hang on the very thing that broke). Thread-safe.
 */
public final class Watchdog implements AutoCloseable {

    /** The exit status of a process the watchdog ends (EX_SOFTWARE). */
    public static final int EXIT_STATUS = 70;

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    private static final String DISPATCHER = "HTTP-Dispatcher";

    private final Thread thread;
    private volatile boolean closed;

    private Watchdog(Thread thread) {
        this.thread = thread;
    }

    /**
     * Ends the process on any {@link Error} that reaches the top of a thread; other uncaught
     * exceptions are logged (their thread's pool replaces the thread).
     */
    public static void install() {
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof Error) {
                halt("thread " + t.getName() + " died of " + e, e);
            } else {
                LOG.error("Uncaught exception in thread {}", t.getName(), e);
            }
        });
    }

    /** How long the model may go without a poll before the agent is considered broken. */
    static Duration staleAfter(Duration pollInterval) {
        Duration twenty = pollInterval.multipliedBy(20);
        return twenty.compareTo(Duration.ofMinutes(2)) > 0 ? twenty : Duration.ofMinutes(2);
    }

    /**
     * Starts watching the HTTP dispatcher threads alive now and the model's polls; checks once
     * a second. For the agent process only (it watches every HTTP server of the JVM), once every
     * surface started; {@link #close} it before the surfaces on the way out.
     */
    public static Watchdog start(SnapshotSource model, Duration pollInterval, Clock clock) {
        List<Thread> dispatchers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(DISPATCHER) && t.isAlive())
                .toList();
        Duration stale = staleAfter(pollInterval);
        Watchdog[] self = new Watchdog[1];
        Thread t = new Thread(() -> {
            while (!self[0].closed) {
                for (Thread d : dispatchers) {
                    if (!d.isAlive() && !self[0].closed) {
                        halt("an HTTP dispatcher thread died; its endpoint no longer answers", null);
                    }
                }
                Instant taken = model.current().takenAt();
                if (!taken.equals(Instant.EPOCH) && Duration.between(taken, clock.instant()).compareTo(stale) > 0
                        && !self[0].closed) {
                    halt("the IOC model has not been refreshed since " + taken + " (more than " + stale.toSeconds()
                            + " s; poll.interval " + pollInterval.toMillis() + " ms)", null);
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "ioc-agent-watchdog");
        t.setDaemon(true);
        self[0] = new Watchdog(t);
        t.start();
        if (LOG.isDebugEnabled()) {
            LOG.debug("Watching {} HTTP dispatcher(s): {}", dispatchers.size(),
                    dispatchers.stream().map(Thread::getName).collect(Collectors.toCollection(java.util.TreeSet::new)));
        }
        return self[0];
    }

    private static void halt(String why, Throwable cause) {
        String message = "FATAL: " + why + ". Exiting with status " + EXIT_STATUS + " so that the service manager restarts the agent.";
        try {
            System.err.println(message);
            if (cause != null) {
                cause.printStackTrace();
            }
            System.err.flush();
        } finally {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }

    /** Stops watching (a clean shutdown is not a failure). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
