package io.iocagent.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.testbed.TestBed;
import io.iocagent.posix.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

class ConsoleConnectionTest {

    @TempDir
    Path dir;

    @Test
    void readOnlyConnectionHasNoWayToWrite() throws Exception {
        assertThrows(NoSuchMethodException.class, () -> ConsoleConnection.class.getMethod("output"));
        try (FakeProcServ procServ = new FakeProcServ(dir.resolve("control"));
             ConsoleConnection c = ConsoleConnection.readOnly(dir.resolve("control"))) {
            assertSame(ConsoleConnection.class, c.getClass(), "a read-only connection is not a ReadWrite in disguise");
        }
    }

    @Test
    void readOnlyConnectionSendsNotOneByteAndDoesNotHalfClose() throws Exception {
        Path socket = dir.resolve("control");
        try (FakeProcServ procServ = new FakeProcServ(socket)) {
            ConsoleConnection c = ConsoleConnection.readOnly(socket);
            readUntil(c.input(), "(plus you)\r\n");
            procServ.send("epics> ");
            readUntil(c.input(), "epics> ");
            c.close();
            procServ.awaitClientGone(Duration.ofSeconds(5));
            assertEquals(0, procServ.received().length);
        }
    }

    @Test
    void inputHasTheTelnetNegotiationRemoved() throws Exception {
        Path socket = dir.resolve("control");
        try (FakeProcServ procServ = new FakeProcServ(socket);
             ConsoleConnection c = ConsoleConnection.readOnly(socket)) {
            procServ.send("epics> ");
            String text = readUntil(c.input(), "epics> ");
            assertEquals("@@@ Welcome to procServ (procServ Process Server 2.7.0)\r\n" + FakeProcServ.BANNER_END + "epics> ", text);
        }
    }

    @Test
    void readWriteOutputDoublesIac() throws Exception {
        Path socket = dir.resolve("control");
        try (FakeProcServ procServ = new FakeProcServ(socket)) {
            try (ConsoleConnection.ReadWrite c = ConsoleConnection.readWrite(socket)) {
                readUntil(c.input(), "(plus you)\r\n");
                c.output().write(new byte[] {'a', (byte) 0xFF, '\n'});
                c.output().flush();
                // Closing with procServ's negotiation bytes unread makes Linux report ECONNRESET to
                // the peer (unix_release_sock), which can cost the fake server bytes it has not
                // read yet: let them arrive before closing.
                TestBed.await(Duration.ofSeconds(5), "the written bytes at the fake procServ",
                        () -> procServ.received().length >= 4);
            }
            procServ.awaitClientGone(Duration.ofSeconds(5));
            assertArrayEquals(new byte[] {'a', (byte) 0xFF, (byte) 0xFF, '\n'}, procServ.received());
        }
    }

    @Test
    void missingSocketNamesThePathAndSaysTheIocIsNotRunning() {
        Path socket = dir.resolve("gone/control");
        ConsoleException e = assertThrows(ConsoleException.class, () -> ConsoleConnection.readOnly(socket));
        assertEquals(ConsoleException.Reason.MISSING, e.reason());
        assertEquals("Console socket not found: " + socket + ".", e.getMessage());
        assertTrue(e.hint().contains("running"), e.hint());
    }

    @Test
    void regularFileIsReportedAsNotASocketRatherThanRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("control"), "not a socket");
        ConsoleException e = assertThrows(ConsoleException.class, () -> ConsoleConnection.readWrite(file));
        assertEquals(ConsoleException.Reason.NOT_A_SOCKET, e.reason());
        assertEquals("Not a socket: " + file + " (a regular file).", e.getMessage());
    }

    @Test
    void directoryIsReportedAsNotASocket() throws IOException {
        Path d = Files.createDirectory(dir.resolve("control"));
        ConsoleException e = assertThrows(ConsoleException.class, () -> ConsoleConnection.readOnly(d));
        assertEquals(ConsoleException.Reason.NOT_A_SOCKET, e.reason());
        assertTrue(e.getMessage().contains("a directory"), e.getMessage());
    }

    @Test
    void staleSocketLeftByAKilledProcServIsReportedAsRefused() throws IOException {
        Path socket = dir.resolve("control");
        AFUNIXServerSocket listener = AFUNIXServerSocket.newInstance();
        listener.setDeleteOnClose(false);
        listener.bind(AFUNIXSocketAddress.of(socket));
        listener.close(); // the file stays, nobody listens: what SIGKILL of procServ leaves behind
        ConsoleException e = assertThrows(ConsoleException.class, () -> ConsoleConnection.readOnly(socket));
        assertEquals(ConsoleException.Reason.REFUSED, e.reason());
        assertTrue(e.getMessage().startsWith("Connection refused by " + socket), e.getMessage());
        assertTrue(e.hint().contains("restart"), e.hint());
    }

    @Test
    void permissionDeniedNamesTheSocketsOwnerGroupAndMode() throws IOException {
        Assumptions.assumeTrue(Posix.euid() != 0, "root is never denied; run as a normal user to cover this");
        Path socket = dir.resolve("control");
        try (FakeProcServ procServ = new FakeProcServ(socket)) {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("r--------"));
            ConsoleException e = assertThrows(ConsoleException.class, () -> ConsoleConnection.readOnly(socket));
            assertEquals(ConsoleException.Reason.PERMISSION_DENIED, e.reason());
            assertTrue(e.getMessage().contains("mode r--------"), e.getMessage());
        }
    }

    /** Reads decoded text until it ends with {@code end}. */
    static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buf = new byte[256];
        while (!text.toString().endsWith(end)) {
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("EOF before " + end + " in " + text);
            }
            text.append(new String(Arrays.copyOf(buf, n), StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }
}
