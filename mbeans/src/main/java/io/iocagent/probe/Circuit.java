package io.iocagent.probe;

import io.iocagent.ca.CaMessages;
import io.iocagent.ca.CaReplies;
import io.iocagent.conf.IocName;
import io.iocagent.model.Responsiveness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p><b>Heartbeat.</b> With a heartbeat PV ({@link Heartbeats}) the circuit also creates a channel
 * to it and subscribes to its value; a round whose echo was answered still fails when the value
 * has not changed for longer than the stale time. The first value (or the circuit's opening,
 * while none came) counts as a change. A PV the server does not serve or lets nobody read is
 * dropped for this child with one warning, and the echo alone decides.
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

    private static final Logger LOG = LoggerFactory.getLogger(Circuit.class);
    /** This client's id of its only channel, and of its only subscription. */
    private static final int CHANNEL_ID = 1;
    private static final int SUBSCRIPTION_ID = 1;

    /** Where a heartbeat PV stands on this child's circuit. */
    private enum Beat { NONE, CONNECTING, SUBSCRIBED, UNUSABLE }

    final IocName ioc;
    final InetSocketAddress address;
    final int childPid;
    final String heartbeatPv; // null: none
    private final long staleNanos;
    private final CaReplies.Heard heard = new Heard();
    private CaReplies replies = new CaReplies();
    private Beat beat;
    private byte[] lastValue;
    private long lastChange; // System.nanoTime() of the last heartbeat change
    private long readAt; // System.nanoTime() of the read being handled
    private boolean windowBegun;
    private boolean windowAnswered;
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

    /**
     * @param heartbeatPv the IOC's heartbeat PV, null when it has none
     * @param stale       how long an unchanged heartbeat value is still fresh
     */
    Circuit(IocName ioc, InetSocketAddress address, int childPid, String heartbeatPv, Duration stale) {
        this.ioc = ioc;
        this.address = address;
        this.childPid = childPid;
        this.heartbeatPv = heartbeatPv;
        this.staleNanos = stale.toNanos();
        this.beat = heartbeatPv == null ? Beat.NONE : Beat.CONNECTING;
    }

    /** Opens a probe window at {@code now}: connects if needed, sends an ECHO unless one is unanswered. */
    void begin(Selector selector, long now) {
        windowStart = now;
        windowOpen = true;
        windowBegun = true;
        windowAnswered = false;
        try {
            if (channel == null) {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                out = CaMessages.greeting(CLIENT);
                if (beat != Beat.NONE && beat != Beat.UNUSABLE) {
                    beat = Beat.CONNECTING;
                    lastValue = null;
                    lastChange = now;
                    send(CaMessages.createChannel(heartbeatPv, CHANNEL_ID));
                }
                echoOutstanding = true;
                key = channel.register(selector, 0, this);
                if (channel.connect(address)) {
                    connected();
                } else {
                    key.interestOps(SelectionKey.OP_CONNECT);
                }
            } else if (!echoOutstanding && channel.isConnected()) {
                send(CaMessages.echo());
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

    /** Queues {@code message} behind what is still unwritten; {@link #flush} writes it. */
    private void send(ByteBuffer message) {
        if (out == null || !out.hasRemaining()) {
            out = message;
        } else {
            out = ByteBuffer.allocate(out.remaining() + message.remaining()).put(out).put(message).flip();
        }
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
            readAt = now;
            replies.feed(buffer.flip(), heard);
            if (out != null && channel != null && channel.isConnected()) {
                flush(); // a subscription the channel's creation asked for
            }
        }
    }

    /** What the server says on this circuit; called from {@link #read} on the probe's thread. */
    private final class Heard implements CaReplies.Heard {

        @Override
        public void echo() {
            echoOutstanding = false;
            received = 0;
            if (windowOpen) {
                windowOpen = false;
                windowAnswered = true;
                lastSeconds = (readAt - windowStart) / 1e9;
            }
        }

        @Override
        public void channel(int cid, int sid) {
            if (beat == Beat.CONNECTING && cid == CHANNEL_ID) {
                send(CaMessages.subscribe(sid, SUBSCRIPTION_ID));
            }
        }

        @Override
        public void channelFailed(int cid) {
            if (cid == CHANNEL_ID) {
                unusable("is not served by this IOC");
            }
        }

        @Override
        public void value(int subscription, int status, ByteBuffer value) {
            if (subscription != SUBSCRIPTION_ID || beat == Beat.NONE || beat == Beat.UNUSABLE) {
                return;
            }
            if (status != CaMessages.ECA_NORMAL) {
                unusable("cannot be read (the IOC answered status " + status + ", e.g. no read access)");
                return;
            }
            byte[] now = new byte[value.remaining()];
            value.get(now);
            if (!Arrays.equals(now, lastValue)) {
                lastValue = now;
                lastChange = readAt;
            }
            beat = Beat.SUBSCRIBED;
        }

        @Override
        public void error() {
            if (beat == Beat.CONNECTING) {
                unusable("was refused by this IOC (CA_PROTO_ERROR)");
            }
        }
    }

    /** The heartbeat cannot be used for this child: say so once, and let the echo alone decide. */
    private void unusable(String why) {
        beat = Beat.UNUSABLE;
        LOG.warn("IOC {}: heartbeat PV '{}' {}; its hang probe uses the Channel Access echo only."
                + " -> Check probe.heartbeat.pv.{} in the agent's configuration.", ioc.value(), heartbeatPv, why, ioc.value());
    }

    /** Whether the heartbeat, if there is one in use, changed within the stale time before {@code now}. */
    private boolean heartbeatFresh(long now) {
        return beat == Beat.NONE || beat == Beat.UNUSABLE || now - lastChange <= staleNanos;
    }

    /** The circuit broke: close it (the next probe opens a new one) and fail the open window. */
    private void fail() {
        close();
        windowOpen = false;
    }

    /** Whether the window begun last is still waiting for an answer. */
    boolean waiting() {
        return windowOpen;
    }

    /**
     * Ends the round at {@code now}: the window begun last succeeded when its echo was answered and
     * the heartbeat (if any) is fresh; else it is a failure. An unanswered window stays unanswered
     * on the circuit (see the class comment).
     */
    void endWindow(long now) {
        if (windowBegun) {
            if (windowAnswered && heartbeatFresh(now)) {
                failures = 0;
                answered = true;
            } else {
                failures++;
            }
        }
        windowBegun = false;
        windowOpen = false;
        windowAnswered = false;
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
