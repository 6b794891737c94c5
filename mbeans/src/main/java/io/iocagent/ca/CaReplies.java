package io.iocagent.ca;

import java.nio.ByteBuffer;

/**
 * Reads the byte stream a CA server sends on one circuit, message by message, as it arrives in
 * pieces: {@link #next} returns each message's header once it is complete and skips its payload
 * without buffering it, so a peer that sends much, or nonsense, costs no memory. Handles the
 * extended header ({@code payload size 0xFFFF} and {@code data count 0}: two 32-bit sizes, payload
 * size first, follow the 16 bytes). See {@link CaMessages} for the layout.
 *
 * <p>Not thread-safe: one reader per circuit, used by one thread; a new circuit needs a new reader
 * (it starts at a message boundary).
 */
public final class CaReplies {

    private static final int EXTENDED_BYTES = CaMessages.HEADER_BYTES + 8;

    /**
     * One message's header.
     *
     * @param command      the CA command ({@link CaMessages#ECHO}, {@link CaMessages#SEARCH}, …)
     * @param payloadBytes the size of the payload that follows (skipped by the reader)
     * @param parameter2   the header's second parameter (a search reply's search id)
     */
    public record Header(int command, long payloadBytes, int parameter2) {
    }

    private final ByteBuffer header = ByteBuffer.allocate(EXTENDED_BYTES);
    private int headerWanted = CaMessages.HEADER_BYTES;
    private long skip;

    /**
     * Consumes bytes of {@code in} up to the end of the next complete header.
     *
     * @return that header, or null when {@code in} ran out first (every byte of it is then consumed)
     */
    public Header next(ByteBuffer in) {
        while (in.hasRemaining()) {
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
            Header h = new Header(command, payload, header.getInt(12));
            skip = payload;
            header.clear();
            headerWanted = CaMessages.HEADER_BYTES;
            return h;
        }
        return null;
    }

    /** Consumes every byte of {@code in}; returns how many complete ECHO messages were among them. */
    public int echoes(ByteBuffer in) {
        int echoes = 0;
        for (Header h = next(in); h != null; h = next(in)) {
            if (h.command() == CaMessages.ECHO) {
                echoes++;
            }
        }
        return echoes;
    }
}
