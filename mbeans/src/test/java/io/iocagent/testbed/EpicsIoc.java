package io.iocagent.testbed;

/**
 * What a real EPICS IOC of the test bed does when procServ starts it (see
 * {@link TestBed#epicsBoot}): every kind runs {@code softIoc} (or {@code softIocPVA}) from
 * {@link EpicsBase} on an {@code st.cmd} of its own.
 */
public enum EpicsIoc {
    /** Loads a few records ({@code P:temperature}, {@code P:counter}, {@code P:name}) and runs. */
    HEALTHY,
    /**
     * Fails in {@code st.cmd}: {@code dbLoadRecords} of a file that does not exist. softIoc 7.0.3.1
     * then still runs {@code iocInit} with no records ("All initialization complete"), serving no PV.
     */
    MISSING_DB,
    /** Loads the records, completes iocInit, then kills itself with SIGSEGV (procServ restarts it). */
    CRASH_AFTER_INIT
}
