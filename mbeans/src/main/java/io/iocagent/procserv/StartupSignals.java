package io.iocagent.procserv;

/**
 * What a procServ log said since a start was commanded, accumulated from {@link LogEvent}s in file
 * order — the facts the seed's start verdict is judged from, and later the agent's readiness.
 *
 * <ul>
 *   <li>before the readiness marker: fatal tokens, and death banners (procServ restarting a child
 *       that died before iocInit completed);</li>
 *   <li>after the marker: death banners (crash after init) and corroborating tokens (ERROR,
 *       Can't open, the IOC's extra patterns).</li>
 * </ul>
 *
 * <p>Events keep counting across log rotations (the reader restarts at offset 0 of the new file
 * and keeps feeding us), so a crash loop hidden behind a rotation is still seen.
 *
 * <p>Not thread-safe.
 */
public final class StartupSignals {

    private final int teardownAllowance;
    private boolean initComplete;
    private boolean fatalBeforeInit;
    private int bannersBeforeInit;
    private int bannersAfterInit;
    private boolean errorsAfterInit;

    /**
     * @param teardownAllowance death banners to forgive before init: 1 when restarting a running
     *                          unit (the commanded stop writes one banner), else 0
     */
    public StartupSignals(int teardownAllowance) {
        this.teardownAllowance = teardownAllowance;
    }

    public void accept(LogEvent event) {
        if (event instanceof LogEvent.InitComplete) {
            initComplete = true;
        } else if (event instanceof LogEvent.ChildShuttingDown) {
            if (initComplete) {
                bannersAfterInit++;
            } else {
                bannersBeforeInit++;
            }
        } else if (event instanceof LogEvent.FatalToken) {
            if (initComplete) {
                errorsAfterInit = true;
            } else {
                fatalBeforeInit = true;
            }
        } else if (event instanceof LogEvent.ErrorToken && initComplete) {
            errorsAfterInit = true;
        }
    }

    public void acceptAll(Iterable<LogEvent> events) {
        events.forEach(this::accept);
    }

    /** The readiness marker was logged. */
    public boolean initComplete() {
        return initComplete;
    }

    /** A fatal token came before the marker: the IOC failed to initialize. */
    public boolean fatalBeforeInit() {
        return fatalBeforeInit;
    }

    /** Two or more deaths before the marker (beyond a restart's own teardown): a crash loop. */
    public boolean crashLoopBeforeInit() {
        return !initComplete && bannersBeforeInit - teardownAllowance >= 2;
    }

    /** The child died after it had initialized. */
    public boolean diedAfterInit() {
        return bannersAfterInit > 0;
    }

    /** Error tokens after the marker: running, but something is wrong (devices, files). */
    public boolean errorsAfterInit() {
        return errorsAfterInit;
    }

    /**
     * For the "already running" fast path: true when the whole log's last readiness marker is
     * not followed by a death banner.
     */
    public static boolean intactSinceLastInit(Iterable<LogEvent> wholeLog) {
        boolean init = false;
        boolean diedSince = false;
        for (LogEvent e : wholeLog) {
            if (e instanceof LogEvent.InitComplete) {
                init = true;
                diedSince = false;
            } else if (e instanceof LogEvent.ChildShuttingDown) {
                diedSince = true;
            }
        }
        return init && !diedSince;
    }
}
