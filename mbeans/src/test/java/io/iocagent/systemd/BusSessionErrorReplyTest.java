package io.iocagent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** An error reply is systemd's answer only when the connection is alive and dbus-java did not make it up. */
class BusSessionErrorReplyTest {

    @Test
    void systemdsOwnErrorOnALiveConnectionIsItsAnswer() {
        assertEquals(CallFailure.Kind.REMOTE_ERROR,
                BusSession.errorReplyKind("org.freedesktop.systemd1.NoSuchUnit", true));
    }

    @Test
    void anyErrorOnADeadConnectionIsALostConnection() {
        assertEquals(CallFailure.Kind.CONNECTION_LOST,
                BusSession.errorReplyKind("org.freedesktop.systemd1.NoSuchUnit", false));
    }

    @Test
    void theErrorDbusJavaMakesForACallItCouldNotWriteIsALostConnectionWhileTheReaderStillRuns() {
        // Seen on a loaded CI run: the proxy died between the liveness check and the write.
        assertEquals("org.freedesktop.dbus.exceptions.DBusExecutionException", BusSession.SEND_FAILED);
        assertEquals(CallFailure.Kind.CONNECTION_LOST, BusSession.errorReplyKind(BusSession.SEND_FAILED, true));
    }
}
