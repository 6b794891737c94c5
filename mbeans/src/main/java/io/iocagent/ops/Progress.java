package io.iocagent.ops;

import java.time.Duration;

/**
 * What a long operation is waiting for, shown while it waits: on a terminal, a status line that
 * says what and for how long; elsewhere nothing ({@link #NONE}), so scripts and logs see the same
 * lines as without it. The line is never part of the output: it is erased before any other line is
 * printed and when the progress is closed. Obtained from {@link Terminal#progress()}.
 */
public interface Progress extends AutoCloseable {

    /** Shows nothing: for terminals that are not a person's screen. */
    Progress NONE = new Progress() {
        @Override
        public void waitingFor(String what, Duration limit) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * From now on the operation waits for {@code what} (e.g. "systemd's start job for
     * epics-@x.service"); the time shown counts from this call.
     *
     * @param limit how long the wait may last, shown beside the time; {@link Duration#ZERO} when
     *              no limit is worth showing
     */
    void waitingFor(String what, Duration limit);

    /** The wait is over: the status line is erased. Idempotent. */
    @Override
    void close();
}
