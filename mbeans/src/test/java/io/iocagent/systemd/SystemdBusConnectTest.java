package io.iocagent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connecting fails fast and clearly, without systemd: no socket, or a peer that never answers. */
class SystemdBusConnectTest {

    @TempDir
    Path dir;

    @Test
    void aMissingBusSocketFailsAtOnceNamingTheAddress() {
        String address = "unix:path=" + dir.resolve("bus");
        long t0 = System.nanoTime();

        SystemdException e = assertThrows(SystemdException.class,
                () -> SystemdBus.connect(address, Duration.ofSeconds(20)));

        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "dbus-java's 10 s connect-retry window is off");
        assertEquals(SystemdException.Reason.BUS_UNREACHABLE, e.reason());
        assertTrue(e.problem().startsWith("Cannot reach systemd on D-Bus at " + address + " to connect: "), e.problem());
        assertTrue(e.problem().contains("No such file or directory"), e.problem());
    }

    @Test
    void aPeerThatNeverAnswersIsGivenUpAfterTheCallTimeout() throws IOException {
        Path socket = dir.resolve("silent");
        List<SocketChannel> accepted = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept()); // accept, never answer the SASL handshake
                    }
                } catch (IOException closed) {
                    // server closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            long t0 = System.nanoTime();

            SystemdException e = assertThrows(SystemdException.class,
                    () -> SystemdBus.connect("unix:path=" + socket, Duration.ofMillis(700)));

            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(millis >= 600 && millis < 5_000, "gave up after " + millis + " ms");
            assertEquals(SystemdException.Reason.BUS_UNREACHABLE, e.reason());
            assertTrue(e.problem().endsWith("no answer within 0.7 s while connecting."), e.problem());
        } finally {
            for (SocketChannel c : accepted) {
                c.close();
            }
        }
    }
}
