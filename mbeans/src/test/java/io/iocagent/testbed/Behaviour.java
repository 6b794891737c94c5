package io.iocagent.testbed;

/** What a stand-in IOC does when procServ starts it (see deploy/demo/standin-ioc). */
public enum Behaviour {
    /** Startup lines, "All initialization complete", then a prompt that echoes input. */
    HEALTHY,
    /** A FATAL line before iocInit, then exit 1. */
    FATAL,
    /** Exit 1 before iocInit with no fatal token; procServ restarts it again and again. */
    CRASHLOOP,
    /** No readiness marker for a long time (STANDIN_INIT_DELAY seconds). */
    SLOW,
    /** Initializes, then prints ERROR lines every two seconds. */
    ERRORS;

    String argument() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
