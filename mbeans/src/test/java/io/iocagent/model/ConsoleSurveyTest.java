package io.iocagent.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.netlink.UnixSocket;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ConsoleSurveyTest {

    private static final UnixSocket.SocketFile FILE = new UnixSocket.SocketFile(42, 7);

    private static UnixSocket socket(UnixSocket.State state, Optional<UnixSocket.SocketFile> file) {
        return new UnixSocket(1000, UnixSocket.Type.STREAM, state, Optional.of("/run/procserv/x/control"), 0, 0, 5, 0, 5,
                OptionalInt.empty(), List.of(), file);
    }

    @Test
    void aListenerWhoseSocketFileIsStillAtThePathIsReachable() {
        assertTrue(ConsoleSurvey.reachable(socket(UnixSocket.State.LISTEN, Optional.of(FILE)), Optional.of(FILE)));
    }

    @Test
    void aListenerWhoseSocketFileWasDeletedIsNotReachable() {
        assertFalse(ConsoleSurvey.reachable(socket(UnixSocket.State.LISTEN, Optional.of(FILE)), Optional.empty()),
                "nobody can connect to a path whose file is gone: the console must read ABSENT, as status says");
    }

    @Test
    void aListenerWhosePathNowNamesAnotherSocketFileIsNotReachable() {
        assertFalse(ConsoleSurvey.reachable(socket(UnixSocket.State.LISTEN, Optional.of(FILE)),
                Optional.of(new UnixSocket.SocketFile(43, 7))));
    }

    @Test
    void connectedSocketsAndSocketsWithoutAFileIdentityAreKept() {
        assertTrue(ConsoleSurvey.reachable(socket(UnixSocket.State.ESTABLISHED, Optional.of(FILE)), Optional.empty()));
        assertTrue(ConsoleSurvey.reachable(socket(UnixSocket.State.LISTEN, Optional.empty()), Optional.empty()));
    }
}
