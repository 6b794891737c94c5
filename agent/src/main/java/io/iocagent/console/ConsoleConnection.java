package io.iocagent.console;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.ConnectionRefusedSocketException;

/**
 * A client connection to a procServ console socket ({@code RUN_DIR/NAME/control}).
 *
 * <p>What the connection can do is fixed by its type. {@link #readOnly} returns a plain
 * {@code ConsoleConnection}: it has an input and nothing else, and never asks the socket for its
 * output stream, so no byte can reach procServ through it. It does not half-close either:
 * procServ 2.7.0 treats end-of-input from a client as a disconnect and drops it at once (observed:
 * after {@code shutdown(SHUT_WR)} the client read EOF within milliseconds, while an idle client
 * stayed connected), so a monitor that half-closed would see nothing. {@link #readWrite} returns
 * a {@link ReadWrite}, which adds {@link ReadWrite#output()}.
 *
 * <p>A new client first receives procServ's {@code @@@} banner ending in
 * {@code @@@ N user(s) and M logger(s) connected (plus you)}; the pending IOC prompt is not
 * replayed (procserv.md §1.4). Every client of the control socket is on one party line: input
 * goes to the IOC's pty only, and everyone sees it through the pty echo (§1.7).
 *
 * <p>{@link #input()} is read by one thread; {@link #close()} may be called from another to end
 * that read (the reader then sees end-of-stream).
 */
public sealed class ConsoleConnection implements Closeable permits ConsoleConnection.ReadWrite {

    /** {@code S_IFMT} and {@code S_IFSOCK} from {@code <sys/stat.h>}. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path path;
    private final AFUNIXSocket socket;
    private final InputStream input;

    private ConsoleConnection(Path path, AFUNIXSocket socket) throws IOException {
        this.path = path;
        this.socket = socket;
        this.input = TelnetFilter.decoding(socket.getInputStream());
    }

    /** Connects for watching only: the result has no way to write to procServ. */
    public static ConsoleConnection readOnly(Path socket) throws ConsoleException {
        AFUNIXSocket s = connect(socket);
        try {
            return new ConsoleConnection(socket, s);
        } catch (IOException e) {
            throw closeAfter(s, socket, e);
        }
    }

    /** Connects for typing at the IOC as well as watching it. */
    public static ReadWrite readWrite(Path socket) throws ConsoleException {
        AFUNIXSocket s = connect(socket);
        try {
            return new ReadWrite(socket, s);
        } catch (IOException e) {
            throw closeAfter(s, socket, e);
        }
    }

    /** The socket path this connection was opened on. */
    public Path path() {
        return path;
    }

    /**
     * What procServ sends, telnet framing removed (see {@link TelnetFilter}): the banner, the IOC's
     * output including the pty echo of every client's input, and {@code @@@} event messages.
     * End-of-stream means procServ closed the connection (it stopped, or it dropped this client)
     * or {@link #close()} was called.
     */
    public InputStream input() {
        return input;
    }

    /** Closes the socket; idempotent. Sends no data (only the kernel's end-of-connection). */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A connection that may also type at the IOC. */
    public static final class ReadWrite extends ConsoleConnection {

        private final OutputStream output;

        private ReadWrite(Path path, AFUNIXSocket socket) throws IOException {
            super(path, socket);
            this.output = TelnetFilter.escaping(socket.getOutputStream());
        }

        /**
         * Bytes for the IOC's pty. A 0xFF is doubled on the way ({@link TelnetFilter#escape}).
         * procServ acts on its control keys in this stream: {@code ^X} kills the child, and keys
         * in {@code --ignore} (the runner sets {@code ^D^C^]}) are dropped (procserv.md §1.6).
         * Send {@code \n} (or {@code \r}) to end a line, not {@code \r\n}: the pty's ICRNL would
         * make that two lines (§1.7). Unbuffered: every write is one send.
         */
        public OutputStream output() {
            return output;
        }
    }

    private static AFUNIXSocket connect(Path socket) throws ConsoleException {
        check(socket);
        try {
            return AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket));
        } catch (ConnectionRefusedSocketException e) {
            throw refused(socket, e);
        } catch (SocketException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("Permission denied")) {
                throw permissionDenied(socket, e);
            }
            if (m.contains("No such file")) {
                throw missing(socket, e);
            }
            throw other(socket, e);
        } catch (IOException e) {
            throw other(socket, e);
        }
    }

    /**
     * Classifies the path before connecting: connect(2) reports ECONNREFUSED both for a stale
     * socket and for a regular file or directory (observed), so "not a socket" must be found here.
     */
    private static void check(Path socket) throws ConsoleException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(socket, "unix:mode");
        } catch (NoSuchFileException e) {
            throw missing(socket, e);
        } catch (AccessDeniedException e) {
            throw new ConsoleException(ConsoleException.Reason.PERMISSION_DENIED, socket,
                    "Cannot reach console socket " + socket + ": permission denied on a directory above it.",
                    "Check the permissions of " + socket.getParent() + " and its parents (the runtime directory"
                            + " is 0770, so you need the IOC's group).", e);
        } catch (IOException | UnsupportedOperationException e) {
            throw other(socket, e);
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new ConsoleException(ConsoleException.Reason.NOT_A_SOCKET, socket,
                    "Not a socket: " + socket + " (" + kind(mode) + ").",
                    "This path should be procServ's control socket (IOC_PORT=unix:...); check the IOC's"
                            + " IOC_PORT and RUN_DIR.", null);
        }
    }

    private static ConsoleException missing(Path socket, Exception cause) {
        return new ConsoleException(ConsoleException.Reason.MISSING, socket,
                "Console socket not found: " + socket + ".",
                "procServ creates it when the IOC starts and removes it when it stops; check the IOC is"
                        + " running (ioc-runner status NAME).", cause);
    }

    private static ConsoleException refused(Path socket, Exception cause) {
        return new ConsoleException(ConsoleException.Reason.REFUSED, socket,
                "Connection refused by " + socket + ": no procServ is listening (stale socket file).",
                "procServ was probably killed and left the file behind; restart the IOC (ioc-runner restart NAME),"
                        + " which replaces the socket.", cause);
    }

    private static ConsoleException permissionDenied(Path socket, Exception cause) {
        String who = "";
        try {
            PosixFileAttributes a = Files.readAttributes(socket, PosixFileAttributes.class);
            who = " (owner " + a.owner().getName() + ", group " + a.group().getName() + ", mode "
                    + PosixFilePermissions.toString(a.permissions()) + ")";
        } catch (IOException | UnsupportedOperationException e) {
            who = " (its owner and mode are unreadable: " + e.getMessage() + ")";
        }
        return new ConsoleException(ConsoleException.Reason.PERMISSION_DENIED, socket,
                "Permission denied connecting to console socket " + socket + who + ".",
                "Connecting to a UNIX socket needs write permission on it, for monitor too: join the socket's"
                        + " group (then log in again) or ask an administrator.", cause);
    }

    private static ConsoleException other(Path socket, Exception cause) {
        return new ConsoleException(ConsoleException.Reason.OTHER, socket,
                "Cannot connect to console socket " + socket + ": " + cause.getMessage(),
                "Check the path and that procServ is running.", cause);
    }

    private static ConsoleException closeAfter(AFUNIXSocket s, Path socket, IOException e) {
        try {
            s.close();
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
        return other(socket, e);
    }

    private static String kind(int mode) {
        return switch (mode & S_IFMT) {
            case 0100000 -> "a regular file";
            case 0040000 -> "a directory";
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            default -> "file type " + Integer.toOctalString(mode & S_IFMT);
        };
    }
}
