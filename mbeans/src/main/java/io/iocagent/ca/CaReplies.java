package io.iocagent.ca;

import java.nio.ByteBuffer;

/**
 * Reads the byte stream a CA server sends on one circuit, message by message, and tells a
 * {@link Heard} about the few messages this project asks for: ECHO replies, the answer to a channel
 * create, value updates of a subscription, errors (the hang probe's), the answers to a name search
 * ({@link CaNameSearch}'s). Everything else (the server's VERSION,
 * ACCESS_RIGHTS, anything a server may add) is skipped without being buffered, and of a value
 * update only its first {@link #MAX_VALUE_BYTES} are kept, so a peer that sends much, or
 * nonsense, costs no memory. Handles the extended header ({@code payload size 0xFFFF} and
 * {@code data count 0}: two 32-bit sizes follow).
 *
 * <p>Not thread-safe: one reader per circuit, used by one thread; a new circuit needs a new reader
 * (it starts at a message boundary).
 */
public final class CaReplies {

    /** What a circuit hears; every method has a no-op default. Called on the reading thread. */
    public interface Heard {
        default void echo() {
        }

        /** The server created channel {@code cid}; it calls it {@code sid}. */
        default void channel(int cid, int sid) {
        }

        /** The server does not serve the name asked for under {@code cid}. */
        default void channelFailed(int cid) {
        }

        /**
         * An update of {@code subscription}: {@code status} {@link CaMessages#ECA_NORMAL} with the
         * value's first bytes in {@code value} (valid during the call only), else an error status.
         */
        default void value(int subscription, int status, ByteBuffer value) {
        }

        /** {@code CA_PROTO_ERROR}: the server refused a request of this circuit. */
        default void error() {
        }

        /** The server serves the name of search {@code searchId} ({@code CA_PROTO_SEARCH} answered). */
        default void found(int searchId) {
        }

        /** The server does not serve the name of search {@code searchId} ({@code CA_PROTO_NOT_FOUND}). */
        default void notFound(int searchId) {
        }
    }

    /** Of a value update, the bytes kept: a DBR_STRING (40) padded to 8. */
    public static final int MAX_VALUE_BYTES = 40;
    private static final int EXTENDED_BYTES = 24;
    private static final Heard NOTHING = new Heard() {
    };

    private final ByteBuffer header = ByteBuffer.allocate(EXTENDED_BYTES);
    private final ByteBuffer value = ByteBuffer.allocate(MAX_VALUE_BYTES);
    private int headerWanted = CaMessages.HEADER_BYTES;
    private long skip;
    private int capture; // bytes of the current value update still to keep
    private int subscription;
    private int status;

    /**
     * Consumes every byte {@code in} holds.
     *
     * @return the number of complete ECHO messages among them
     */
    public int feed(ByteBuffer in) {
        return feed(in, NOTHING);
    }

    /**
     * Consumes every byte {@code in} holds and tells {@code heard} about each complete message it asks for.
     *
     * @return the number of complete ECHO messages among them
     */
    public int feed(ByteBuffer in, Heard heard) {
        int echoes = 0;
        while (in.hasRemaining()) {
            if (capture > 0) {
                int n = Math.min(capture, in.remaining());
                for (int i = 0; i < n; i++) {
                    value.put(in.get());
                }
                capture -= n;
                skip -= n;
                if (capture == 0) {
                    heard.value(subscription, status, value.flip());
                    value.clear();
                }
                continue;
            }
            if (skip > 0) {
                int n = (int) Math.min(skip, in.remaining());
                in.position(in.position() + n);
                skip -= n;
                continue;
            }
            while (header.position() < headerWanted && in.hasRemaining()) {
                header.put(in.get());
            }
            if (header.position() < headerWanted) {
                break;
            }
            int command = header.getShort(0) & 0xFFFF;
            long payload = header.getShort(2) & 0xFFFF;
            int count = header.getShort(6) & 0xFFFF;
            if (payload == 0xFFFF && count == 0 && headerWanted == CaMessages.HEADER_BYTES) {
                headerWanted = EXTENDED_BYTES; // the real sizes follow
                continue;
            }
            if (headerWanted == EXTENDED_BYTES) {
                payload = header.getInt(16) & 0xFFFF_FFFFL;
            }
            int p1 = header.getInt(8);
            int p2 = header.getInt(12);
            skip = payload;
            header.clear();
            headerWanted = CaMessages.HEADER_BYTES;
            switch (command) {
                case CaMessages.ECHO -> {
                    echoes++;
                    heard.echo();
                }
                case CaMessages.CREATE_CHAN -> heard.channel(p1, p2);
                case CaMessages.CREATE_CH_FAIL -> heard.channelFailed(p1);
                case CaMessages.ERROR -> heard.error();
                case CaMessages.SEARCH -> heard.found(p2);
                case CaMessages.NOT_FOUND -> heard.notFound(p2);
                case CaMessages.EVENT_ADD -> {
                    subscription = p2;
                    status = p1;
                    capture = (int) Math.min(payload, MAX_VALUE_BYTES);
                    if (capture == 0) {
                        heard.value(subscription, status, value.flip());
                        value.clear();
                    }
                }
                default -> {
                    // skipped
                }
            }
        }
        return echoes;
    }
}
