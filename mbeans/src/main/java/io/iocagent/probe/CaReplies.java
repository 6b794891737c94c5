package io.iocagent.probe;

import java.nio.ByteBuffer;

/**
 * Reads the byte stream a CA server sends on one circuit, message by message, and counts the
 * ECHO replies; everything else (its VERSION, anything a server may add) is skipped without
 * being buffered, so a peer that sends much, or nonsense, costs no memory. Handles the extended
 * header ({@code payload size 0xFFFF} and {@code data count 0}: two 32-bit sizes follow).
 *
 * <p>Not thread-safe: the probe's thread owns it.
 */
final class CaReplies {

    private static final int EXTENDED_BYTES = 24;

    private final ByteBuffer header = ByteBuffer.allocate(EXTENDED_BYTES);
    private int headerWanted = CaMessages.HEADER_BYTES;
    private long skip;

    /**
     * Consumes every byte {@code in} holds.
     *
     * @return the number of complete ECHO messages among them
     */
    int feed(ByteBuffer in) {
        int echoes = 0;
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
            if (command == CaMessages.ECHO) {
                echoes++;
            }
            skip = payload;
            header.clear();
            headerWanted = CaMessages.HEADER_BYTES;
        }
        return echoes;
    }
}
