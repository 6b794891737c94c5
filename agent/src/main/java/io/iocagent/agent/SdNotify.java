package io.iocagent.agent;

import java.io.IOException;
import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * systemd's readiness protocol for {@code Type=notify} services: one datagram such as
 * {@code READY=1} to the socket named by {@code $NOTIFY_SOCKET} (a path, or {@code @name} for
 * the abstract namespace). Without {@code NOTIFY_SOCKET} (not run by systemd) it does nothing.
 * The JDK has no datagram UNIX sockets, hence junixsocket.
 */
public final class SdNotify {

    private SdNotify() {
    }

    /**
     * Sends {@code state} (e.g. {@code READY=1}, {@code STOPPING=1}, {@code STATUS=…}).
     *
     * @return true when a notification socket was configured and the datagram was sent
     * @throws IOException when the configured socket cannot be reached
     */
    public static boolean send(Map<String, String> env, String state) throws IOException {
        String target = env.get("NOTIFY_SOCKET");
        if (target == null || target.isEmpty()) {
            return false;
        }
        datagram(target, state.getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /**
     * Sends one datagram to the UNIX socket {@code target}: a path, or {@code @name} for the
     * abstract namespace. Also how the command line reaches syslog ({@code /dev/log}).
     *
     * @throws IOException when nothing receives at {@code target}
     */
    public static void datagram(String target, byte[] bytes) throws IOException {
        AFUNIXSocketAddress address = target.startsWith("@")
                ? AFUNIXSocketAddress.inAbstractNamespace(target.substring(1))
                : AFUNIXSocketAddress.of(new java.io.File(target));
        try (AFUNIXDatagramSocket socket = AFUNIXDatagramSocket.newInstance()) {
            // junixsocket rejects a packet carrying an AF_UNIX address: connect first, then send.
            socket.connect(address);
            socket.send(new DatagramPacket(bytes, bytes.length));
        }
    }
}
