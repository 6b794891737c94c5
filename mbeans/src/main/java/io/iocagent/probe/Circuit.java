package io.iocagent.probe;

import io.iocagent.ca.CaMessages;
import io.iocagent.ca.CaReplies;
import io.iocagent.model.Responsiveness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * The probe's one TCP circuit to one IOC child's CA server, kept open from probe to probe, and
 * that child's run of answers and failures.
 *
 * <p><b>One echo in flight.</b> A probe sends an ECHO and opens a window of {@code timeout}; an
 * ECHO reply inside the window answers it. A window that closes unanswered counts as a failure
 * but leaves the circuit (and the unanswered echo) as it is: a stopped IOC's kernel still accepts
 * and buffers, so reconnecting would only pile up circuits it must serve when it wakes. The next
 * probe sends nothing new while an echo is unanswered; a late reply inside a later window answers
 * that window, since the server answered then. A circuit that fails (refused, reset, closed) is
 * dropped and opened anew by the next probe.
 *
 * <p>Not thread-safe: the probe's thread owns it.
 */
final class Circuit {

    /**
     * Bytes a peer may send between two echo replies before its circuit is dropped as not a CA
     * server (a CA server sends a circuit without channels its VERSION and the echo replies only):
     * a flood costs the probe thread a bounded amount of reading.
     */
    static final int MAX_UNSOLICITED_BYTES = 64 * 1024;

    /** What the IOC's {@code casr} shows as this circuit's user. */
    static final String CLIENT = "ioc-agent-probe";

    final InetSocketAddress address;
    final int childPid;
    private CaReplies replies = new CaReplies();
    private SocketChannel channel;
    private SelectionKey key;
    private ByteBuffer out;
    private boolean echoOutstanding;
    private long received; // bytes read since the last echo reply
    private long windowStart; // System.nanoTime() the open window began
    private boolean windowOpen;
    private int failures;
    private boolean answered;
    private double lastSeconds = Double.NaN;

    Circuit(InetSocketAddress address, int childPid) {
        this.address = address;
        this.childPid = childPid;
    }

    /** Opens a probe window at {@code now}: connects if needed, sends an ECHO unless one is unanswered. */
    void begin(Selector selector, long now) {
        windowStart = now;
        windowOpen = true;
        try {
            if (channel == null) {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                out = CaMessages.greeting(CLIENT);
                echoOutstanding = true;
                key = channel.register(selector, 0, this);
                if (channel.connect(address)) {
                    connected();
                } else {
                    key.interestOps(SelectionKey.OP_CONNECT);
                }
            } else if (!echoOutstanding && channel.isConnected()) {
                out = CaMessages.echo();
                echoOutstanding = true;
                flush();
            }
        } catch (IOException | RuntimeException e) {
            fail();
        }
    }

    /** Handles what the selector found ready; {@code buffer} is the probe's shared read buffer. */
    void ready(ByteBuffer buffer, long now) {
        try {
            if (key.isConnectable() && channel.finishConnect()) {
                connected();
            }
            if (key.isValid() && key.isWritable()) {
                flush();
            }
            if (key.isValid() && key.isReadable()) {
                read(buffer, now);
            }
        } catch (IOException | RuntimeException e) {
            fail();
        }
    }

    private void connected() throws IOException {
        key.interestOps(SelectionKey.OP_READ);
        flush();
    }

    private void flush() throws IOException {
        if (out != null) {
            channel.write(out);
            if (out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            out = null;
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    private void read(ByteBuffer buffer, long now) throws IOException {
        while (true) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                throw new IOException("closed by the IOC");
            }
            if (n == 0) {
                return;
            }
            received += n;
            if (received > MAX_UNSOLICITED_BYTES) {
                throw new IOException("the peer sent " + received + " bytes; a CA server answers a probe with 32");
            }
            if (replies.echoes(buffer.flip()) > 0) {
                echoOutstanding = false;
                received = 0;
                if (windowOpen) {
                    windowOpen = false;
                    failures = 0;
                    answered = true;
                    lastSeconds = (now - windowStart) / 1e9;
                }
            }
        }
    }

    /** The circuit broke: close it (the next probe opens a new one) and fail the open window. */
    private void fail() {
        close();
        if (windowOpen) {
            windowOpen = false;
            failures++;
        }
    }

    /** Whether the window begun last is still waiting for an answer. */
    boolean waiting() {
        return windowOpen;
    }

    /** Closes the window as unanswered: a failure (the circuit stays, see the class comment). */
    void timedOut() {
        if (windowOpen) {
            windowOpen = false;
            failures++;
        }
    }

    /** What this child's run of probes says, with {@code limit} consecutive failures making it unresponsive. */
    Responsiveness responsiveness(int limit) {
        if (failures >= limit) {
            return new Responsiveness(Responsiveness.State.UNRESPONSIVE, childPid, Double.NaN);
        }
        return answered ? new Responsiveness(Responsiveness.State.RESPONSIVE, childPid, lastSeconds)
                : Responsiveness.UNPROBED;
    }

    int failures() {
        return failures;
    }

    void close() {
        if (key != null) {
            key.cancel();
            key = null;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a socket we no longer use: nothing to do
            }
            channel = null;
        }
        out = null;
        echoOutstanding = false;
        received = 0;
        replies = new CaReplies(); // a new circuit starts at a message boundary
    }
}
