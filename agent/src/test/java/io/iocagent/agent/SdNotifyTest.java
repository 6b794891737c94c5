package io.iocagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

class SdNotifyTest {

    @Test
    void withoutNotifySocketNothingIsSent() throws Exception {
        assertFalse(SdNotify.send(Map.of(), "READY=1"));
    }

    @Test
    void readyReachesThePathSocketSystemdWouldListenOn(@TempDir Path dir) throws Exception {
        File path = dir.resolve("notify").toFile();
        try (AFUNIXDatagramSocket systemd = AFUNIXDatagramSocket.newInstance()) {
            systemd.bind(AFUNIXSocketAddress.of(path));
            systemd.setSoTimeout(5000);
            assertTrue(SdNotify.send(Map.of("NOTIFY_SOCKET", path.toString()), "READY=1"));
            DatagramPacket packet = new DatagramPacket(new byte[256], 256);
            systemd.receive(packet);
            assertEquals("READY=1", new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void readyReachesAnAbstractNamespaceSocket() throws Exception {
        String name = "iocagent-notify-test-" + ProcessHandle.current().pid();
        try (AFUNIXDatagramSocket systemd = AFUNIXDatagramSocket.newInstance()) {
            systemd.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
            systemd.setSoTimeout(5000);
            assertTrue(SdNotify.send(Map.of("NOTIFY_SOCKET", "@" + name), "STOPPING=1"));
            DatagramPacket packet = new DatagramPacket(new byte[256], 256);
            systemd.receive(packet);
            assertEquals("STOPPING=1", new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
        }
    }
}
