package io.iocagent.dbus;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A short-lived D-Bus client connection over a UNIX socket, with nothing but what one-shot
 * callers need: SASL {@code EXTERNAL} authentication, {@code Hello} when the peer is a bus daemon,
 * pipelined method calls whose replies are collected by serial, and — for a caller that asked for
 * signals itself (a match rule, systemd's {@code Subscribe}) — waiting for one signal
 * ({@link #awaitSignal}). Signals that arrive while replies are awaited are kept (the last
 * {@link #MAX_SIGNALS}) for a later {@link #awaitSignal}.
 *
 * <p>Built on the JDK's UNIX-domain {@link SocketChannel} (JDK 16+), so it needs no native
 * library. Every wait is bounded by the call timeout. Not thread-safe.
 */
public final class Connection implements AutoCloseable {

    /** Calls in flight at once: enough to hide the round trip, few enough to bound the replies queued. */
    static final int WINDOW = 128;

    private static final int MAX_AUTH_LINE = 512;

    /** Signals kept while replies are awaited; older ones are dropped. */
    static final int MAX_SIGNALS = 1024;

    private final java.util.ArrayDeque<Message> signals = new java.util.ArrayDeque<>();

    private final SocketChannel channel;
    private final Selector selector;
    private final Duration timeout;
    private final String destination;
    private final Path socket;
    private ByteBuffer in = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private int serial;
    private int calls;
    private Duration waitedFor;

    private Connection(SocketChannel channel, Selector selector, Duration timeout, String destination, Path socket) {
        this.channel = channel;
        this.selector = selector;
        this.timeout = timeout;
        this.waitedFor = timeout;
        this.destination = destination;
        this.socket = socket;
        in.limit(0);
    }

    /**
     * Connects and authenticates.
     *
     * @param socket      the UNIX socket
     * @param uid         the caller's effective uid, for {@code EXTERNAL}
     * @param busDaemon   true for a bus (say {@code Hello}, address calls to {@code destination}),
     *                    false for a peer-to-peer connection such as systemd's private socket
     * @param destination the bus name calls go to on a bus; ignored peer-to-peer
     * @throws IOException when the socket cannot be reached, authentication fails, or the peer
     *                     does not answer within {@code timeout}
     */
    public static Connection open(Path socket, long uid, boolean busDaemon, String destination, Duration timeout)
            throws IOException {
        Objects.requireNonNull(socket, "socket");
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = null;
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, 0);
            Connection c = new Connection(channel, selector, timeout, busDaemon ? destination : null, socket);
            c.authenticate(uid);
            if (busDaemon) {
                c.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "");
            }
            return c;
        } catch (IOException | RuntimeException e) {
            if (selector != null) {
                selector.close();
            }
            channel.close();
            throw e;
        }
    }

    /** The socket this connection is on. */
    public Path socket() {
        return socket;
    }

    /** How long a call waits for its reply unless told otherwise. */
    public Duration timeout() {
        return timeout;
    }

    /** Method calls sent so far, {@code Hello} included. */
    public int calls() {
        return calls;
    }

    /** One call, answered. See {@link #callAll}. */
    public Message call(String path, String iface, String member, String signature, Object... args) throws IOException {
        return call(destination, path, iface, member, signature, args);
    }

    private Message call(String dest, String path, String iface, String member, String signature, Object... args)
            throws IOException {
        return callAll(List.of(new Call(dest, path, iface, member, signature, args))).get(0);
    }

    /**
     * A method call to send.
     *
     * @param args String or List of String, as {@code signature} says
     */
    public record Call(String destination, String path, String iface, String member, String signature, Object[] args) {
    }

    /** A call to this connection's destination (none peer-to-peer). */
    public Call newCall(String path, String iface, String member, String signature, Object... args) {
        return new Call(destination, path, iface, member, signature, args);
    }

    /**
     * Sends the calls, up to {@link #WINDOW} in flight at once, and returns their replies in the
     * same order: method returns and errors alike ({@link Message#ERROR}; the caller decides).
     *
     * @throws IOException when the connection fails or a reply does not come within the timeout
     */
    public List<Message> callAll(List<Call> batch) throws IOException {
        return callAll(batch, timeout);
    }

    /** {@link #callAll(List)}, waiting up to {@code wait} instead of the connection's timeout. */
    public List<Message> callAll(List<Call> batch, Duration wait) throws IOException {
        List<Message> replies = new ArrayList<>(batch.size());
        Map<Integer, Integer> pending = new HashMap<>();
        Message[] answered = new Message[batch.size()];
        long deadline = System.nanoTime() + wait.toNanos();
        int sent = 0;
        int received = 0;
        while (received < batch.size()) {
            while (sent < batch.size() && sent - received < WINDOW) {
                Call c = batch.get(sent);
                int s = ++serial;
                write(Message.methodCall(s, c.destination(), c.path(), c.iface(), c.member(), c.signature(), c.args()),
                        deadline);
                calls++;
                pending.put(s, sent);
                sent++;
            }
            Message m = read(deadline, wait);
            if (m.type() == Message.METHOD_RETURN || m.type() == Message.ERROR) {
                Integer index = pending.remove(m.replySerial());
                if (index != null) {
                    answered[index] = m;
                    received++;
                }
            } else if (m.type() == Message.SIGNAL) {
                keep(m);
            }
        }
        for (Message m : answered) {
            replies.add(m);
        }
        return replies;
    }

    /**
     * The first signal matching {@code wanted}: one kept from earlier, else the next to arrive
     * before {@code timeout} passes. Signals that do not match are dropped; so are replies (no
     * call is outstanding).
     *
     * @throws TimeoutException when none arrives in time
     * @throws IOException      when the connection fails
     */
    public Message awaitSignal(java.util.function.Predicate<Message> wanted, Duration timeout) throws IOException {
        for (java.util.Iterator<Message> kept = signals.iterator(); kept.hasNext(); ) {
            Message m = kept.next();
            kept.remove();
            if (wanted.test(m)) {
                return m;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Message m = read(deadline, timeout);
            if (m.type() == Message.SIGNAL && wanted.test(m)) {
                return m;
            }
        }
    }

    private void keep(Message signal) {
        if (signals.size() == MAX_SIGNALS) {
            signals.removeFirst();
        }
        signals.addLast(signal);
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // closing: nothing to do about it
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing to do about it
        }
    }

    // ---- authentication ------------------------------------------------------------------------

    private void authenticate(long uid) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // the uid's decimal digits, hex-encoded (not String.format: its first use costs a command ~3 ms)
        String hex = HexFormat.of().formatHex(Long.toString(uid).getBytes(StandardCharsets.US_ASCII));
        // The whole conversation at once, as sd-bus clients send it: systemd's private socket loses
        // a message sent after an OK-then-BEGIN exchange when it arrives too soon (measured on 252).
        write(("\0AUTH EXTERNAL " + hex + "\r\nBEGIN\r\n").getBytes(StandardCharsets.US_ASCII), deadline);
        String reply = readLine(deadline);
        if (!reply.startsWith("OK ")) {
            throw new IOException("D-Bus authentication (EXTERNAL as uid " + uid + ") refused: " + reply);
        }
    }

    private String readLine(long deadline) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            while (in.hasRemaining()) {
                char c = (char) (in.get() & 0xff);
                if (c == '\n') {
                    int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                    return line.substring(0, end);
                }
                line.append(c);
                if (line.length() > MAX_AUTH_LINE) {
                    throw new IOException("D-Bus authentication line too long");
                }
            }
            in.clear();
            fill(deadline);
        }
    }

    // ---- messages ----------------------------------------------------------------------------

    private Message read(long deadline) throws IOException {
        return read(deadline, timeout);
    }

    /** @param waited what {@code deadline} stands for, for the timeout message */
    private Message read(long deadline, Duration waited) throws IOException {
        waitedFor = waited;
        ensure(16, deadline);
        int length;
        try {
            length = Message.length(in.slice(in.position(), 16));
        } catch (Message.ProtocolException e) {
            throw new IOException(e.getMessage(), e);
        }
        ensure(length, deadline);
        ByteBuffer whole = in.slice(in.position(), length);
        in.position(in.position() + length);
        try {
            return Message.decode(whole);
        } catch (Message.ProtocolException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Makes at least {@code n} unread bytes available in {@code in}. */
    private void ensure(int n, long deadline) throws IOException {
        if (in.remaining() >= n) {
            return;
        }
        if (in.capacity() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(n, in.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(in);
            in = bigger;
        } else {
            in.compact();
        }
        // in is now in write mode with the unread bytes at its start
        while (in.position() < n) {
            int got = channel.read(in);
            if (got < 0) {
                throw new IOException("the peer closed the connection");
            }
            if (got == 0) {
                await(SelectionKey.OP_READ, deadline);
            }
        }
        in.flip();
    }

    private void fill(long deadline) throws IOException {
        while (true) {
            int got = channel.read(in);
            if (got < 0) {
                throw new IOException("the peer closed the connection");
            }
            if (got > 0) {
                in.flip();
                return;
            }
            await(SelectionKey.OP_READ, deadline);
        }
    }

    private void write(byte[] bytes, long deadline) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                await(SelectionKey.OP_WRITE, deadline);
            }
        }
    }

    private void await(int op, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new TimeoutException("no answer on " + socket + " within " + waitedFor.toMillis() + " ms");
        }
        SelectionKey key = channel.keyFor(selector);
        key.interestOps(op);
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
    }

    /** The peer did not answer in time. */
    public static final class TimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        TimeoutException(String message) {
            super(message);
        }
    }

    /** The first error name and text of {@code replies}, if any was an error. */
    public static Optional<Message> firstError(List<Message> replies) {
        return replies.stream().filter(m -> m.type() == Message.ERROR).findFirst();
    }
}
