package io.iocagent.model;

/**
 * Whether an IOC is usable, derived continuously from its unit state and procServ log with the
 * same rules as the start verdict.
 */
public enum Readiness {
    /** The unit is not active. */
    STOPPED,
    /** Active, the current child has not reported {@code All initialization complete} yet. */
    STARTING,
    /** The current child reported initialization complete and has not died since. */
    READY,
    /** Two or more child deaths before initialization, or a death after it, recently. */
    CRASH_LOOP,
    /** A fatal token before initialization, or the unit failed. */
    FAILED,
    /**
     * The current child reported initialization complete and its process lives, but its Channel
     * Access server has not answered the agent's probe several times in a row ({@link Responsiveness}).
     * Only IOCs that serve Channel Access are probed; a success makes the IOC {@code READY} again.
     */
    HUNG,
    /** Not known (systemd unreachable, log unreadable). */
    UNKNOWN
}
