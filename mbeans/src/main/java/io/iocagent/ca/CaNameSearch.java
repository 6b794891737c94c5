package io.iocagent.ca;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Asks one Channel Access server whether it serves a PV, over a TCP circuit of its own: the
 * name-server search of CA protocol 4.13 ("Channel Access Protocol Specification", EPICS base).
 * The client sends {@code CA_PROTO_VERSION} (0) and {@code CA_PROTO_SEARCH} (6) with
 * {@code DOREPLY}; the server answers {@code CA_PROTO_SEARCH} when it has the name and
 * {@code CA_PROTO_NOT_FOUND} (14) when it has not (rsrv's {@code search_reply_tcp} and
 * {@code search_fail_reply}, {@code camessage.c}), each carrying the client's search id in
 * parameter 2. Unlike a UDP search this reaches exactly the IOC on that port, even when every
 * IOC of the host shares UDP 5064, and a "no" arrives at once instead of after a timeout.
 *
 * <p>The bytes are written by {@link CaMessages} and read by {@link CaReplies}.
 *
 * <p>Stateless and thread-safe: each {@link #ask} opens, uses and closes one connection.
 */
public final class CaNameSearch {

    /** Longest PV name asked for, in bytes: EPICS record names are at most 60, plus {@code .FIELD} and filters. */
    public static final int MAX_NAME_BYTES = 1024;
    /** Bytes of answer read at most before giving up on a server that talks without answering. */
    static final int MAX_REPLY_BYTES = 64 * 1024;

    private static final int SEARCH_ID = 0x10C;

    /** What a server said. */
    public enum Answer {
        /** It serves the PV. */
        SERVED,
        /** It answered that it does not. */
        NOT_SERVED
    }

    private final Duration timeout;

    /** @param timeout for the connection and for the answer, each */
    public CaNameSearch(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Whether the CA server at {@code server} serves {@code pvName}.
     *
     * @param pvName a name {@link #problem} accepts
     * @throws IOException when the server cannot be reached, does not answer within the timeout,
     *                     closes the circuit, or sends more than {@link #MAX_REPLY_BYTES} without answering
     */
    public Answer ask(InetSocketAddress server, String pvName) throws IOException {
        String problem = problem(pvName);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        int millis = (int) Math.max(1, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(server, millis);
            socket.setSoTimeout(millis);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(request(pvName));
            out.flush();
            return answer(socket.getInputStream());
        } catch (SocketTimeoutException e) {
            throw new IOException("no answer within " + millis + " ms", e);
        }
    }

    /**
     * Why {@code pvName} cannot be asked for, or null when it can: it must be 1 to
     * {@link #MAX_NAME_BYTES} printable ASCII characters without spaces (what CA clients send;
     * a NUL would end the name early on the server).
     */
    public static String problem(String pvName) {
        if (pvName == null || pvName.isEmpty()) {
            return "The PV name is empty.";
        }
        if (pvName.length() > MAX_NAME_BYTES) {
            return "The PV name is " + pvName.length() + " characters long; at most " + MAX_NAME_BYTES
                    + " are asked for (EPICS record names have at most 60, plus '.FIELD' and filters).";
        }
        for (int i = 0; i < pvName.length(); i++) {
            char c = pvName.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return "The PV name has " + describe(c) + " at position " + (i + 1)
                        + "; PV names are printable ASCII without spaces.";
            }
        }
        return null;
    }

    private static String describe(char c) {
        if (c == ' ') {
            return "a space";
        }
        return c < 0x20 || c == 0x7F ? String.format("the control character U+%04X", (int) c)
                : String.format("the non-ASCII character U+%04X", (int) c);
    }

    /** VERSION then SEARCH(DOREPLY) for {@code pvName}, NUL-terminated and padded to 8. */
    static byte[] request(String pvName) {
        return CaMessages.search(pvName, SEARCH_ID).array();
    }

    /** Reads messages until the answer to this search; skips the server's VERSION and anything else. */
    static Answer answer(InputStream in) throws IOException {
        CaReplies replies = new CaReplies();
        Answer[] answer = new Answer[1];
        CaReplies.Heard heard = new CaReplies.Heard() {
            @Override
            public void found(int searchId) {
                if (searchId == SEARCH_ID && answer[0] == null) {
                    answer[0] = Answer.SERVED;
                }
            }

            @Override
            public void notFound(int searchId) {
                if (searchId == SEARCH_ID && answer[0] == null) {
                    answer[0] = Answer.NOT_SERVED;
                }
            }
        };
        byte[] buf = new byte[4096];
        long read = 0;
        while (read <= MAX_REPLY_BYTES) {
            int n = in.read(buf);
            if (n < 0) {
                throw new EOFException("the server closed the circuit without answering");
            }
            read += n;
            replies.feed(ByteBuffer.wrap(buf, 0, n), heard);
            if (answer[0] != null) {
                return answer[0];
            }
        }
        throw new IOException("sent more than " + MAX_REPLY_BYTES + " bytes without answering the search");
    }
}
