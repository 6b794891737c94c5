package io.iocagent.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {

    /** Cheap enough for tests, and the lowest a file may use. */
    static final int FAST = Credentials.MIN_ITERATIONS;

    @TempDir
    Path dir;

    static String entry(String user, Role role, String password) {
        return user + ":" + role.text() + ":" + Credentials.hash(password.toCharArray(), FAST);
    }

    private Path privateFile(String... lines) throws IOException {
        Path file = dir.resolve("credentials");
        Files.write(file, List.of(lines));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void aHashVerifiesItsPasswordAndNoOther() throws IOException {
        Credentials c = Credentials.parse(List.of(entry("olga", Role.OPERATOR, "s3cret"), entry("vic", Role.VIEWER, "look")), "t");

        assertEquals(Optional.of(Role.OPERATOR), c.authenticate("olga", "s3cret".toCharArray()));
        assertEquals(Optional.of(Role.VIEWER), c.authenticate("vic", "look".toCharArray()));
        assertEquals(Optional.empty(), c.authenticate("olga", "s3cret ".toCharArray()));
        assertEquals(Optional.empty(), c.authenticate("olga", "look".toCharArray()), "another user's password");
        assertEquals(Optional.empty(), c.authenticate("nobody", "s3cret".toCharArray()));
        assertEquals(Optional.empty(), c.authenticate(null, null));
    }

    @Test
    void hashesArePbkdf2Sha256WithIterationsSaltAndKeyAndASaltOfTheirOwn() {
        String a = Credentials.hash("pw".toCharArray(), FAST);
        String b = Credentials.hash("pw".toCharArray(), FAST);

        assertTrue(a.matches("pbkdf2-sha256\\$" + FAST + "\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), a);
        assertNotEquals(a, b, "random salt");
        assertTrue(Credentials.hash("pw".toCharArray()).startsWith("pbkdf2-sha256$600000$"));
        assertThrows(IllegalArgumentException.class, () -> Credentials.hash("pw".toCharArray(), 1000));
    }

    @Test
    void lineMakesAnEntryTheParserAccepts() throws IOException {
        String line = Credentials.line("ops-1", Role.OPERATOR, "pw".toCharArray());

        assertTrue(line.startsWith("ops-1:operator:pbkdf2-sha256$"), line);
        assertThrows(IllegalArgumentException.class, () -> Credentials.line("a:b", Role.VIEWER, "pw".toCharArray()));
        assertEquals(List.of("ops-1"), List.copyOf(Credentials.parse(List.of(line), "t").users()));
    }

    @Test
    void commentsAndBlankLinesAreIgnored() throws IOException {
        Credentials c = Credentials.parse(List.of("# users of the agent", "", "   ", entry("vic", Role.VIEWER, "pw")), "t");

        assertEquals(List.of("vic"), List.copyOf(c.users()));
    }

    @Test
    void malformedLinesAreRefusedNamingFileAndLine() {
        String good = Credentials.hash("pw".toCharArray(), FAST);
        List<List<String>> bad = List.of(
                List.of("vic:viewer:plaintext"),
                List.of("vic:viewer"),
                List.of("vic:admin:" + good),
                List.of("v@c:viewer:" + good),
                List.of("vic:viewer:pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43)),
                List.of("vic:viewer:pbkdf2-sha256$" + FAST + "$!!$" + "A".repeat(43)),
                List.of("vic:viewer:" + good, "# again", "vic:operator:" + good));
        List<String> expected = List.of("plain passwords are not accepted", "expected user:role:hash",
                "neither viewer nor operator", "may only use letters", "too few", "not Base64", "listed twice");
        for (int i = 0; i < bad.size(); i++) {
            List<String> lines = bad.get(i);
            IOException e = assertThrows(IOException.class, () -> Credentials.parse(lines, "/etc/x"), lines::toString);
            assertTrue(e.getMessage().startsWith("/etc/x line " + lines.size() + ":"), e.getMessage());
            assertTrue(e.getMessage().contains(expected.get(i)), e.getMessage());
        }
    }

    @Test
    void aPrivateFileLoads() throws IOException {
        Path file = privateFile(entry("olga", Role.OPERATOR, "pw"));

        assertEquals(Optional.of(Role.OPERATOR), Credentials.load(file).authenticate("olga", "pw".toCharArray()));
    }

    @Test
    void aFileGroupOrOthersCanReadIsRefusedWithTheFix() throws IOException {
        Path file = privateFile(entry("olga", Role.OPERATOR, "pw"));
        for (String mode : List.of("rw-r-----", "rw----r--", "rw--w----")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));

            IOException e = assertThrows(IOException.class, () -> Credentials.load(file), mode);

            assertTrue(e.getMessage().contains("accessible by group or others (" + mode + ")"), e.getMessage());
            assertTrue(e.getMessage().contains("-> chmod 600 " + file), e.getMessage());
        }
    }

    @Test
    void anEditedFileIsReloadedAndAnUnusableOneRefusesEveryone() throws Exception {
        Path file = privateFile(entry("olga", Role.OPERATOR, "pw"));
        CredentialsFile credentials = CredentialsFile.open(file);
        assertEquals(Optional.of(Role.OPERATOR), credentials.authenticate("olga", "pw".toCharArray()));

        Files.write(file, List.of(entry("vic", Role.VIEWER, "pw2")));
        assertEquals(Optional.empty(), credentials.authenticate("olga", "pw".toCharArray()), "removed user");
        assertEquals(Optional.of(Role.VIEWER), credentials.authenticate("vic", "pw2".toCharArray()));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(Optional.empty(), credentials.authenticate("vic", "pw2".toCharArray()), "world-readable now");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(Optional.of(Role.VIEWER), credentials.authenticate("vic", "pw2".toCharArray()), "fixed again");
    }

    @Test
    void aVerifiedPasswordIsRememberedButAWrongOneAlwaysPaysTheFullHash() throws Exception {
        Path file = privateFile(entry("olga", Role.OPERATOR, "pw"));
        CredentialsFile credentials = CredentialsFile.open(file);

        assertEquals(Optional.of(Role.OPERATOR), credentials.authenticate("olga", "pw".toCharArray()));
        assertEquals(Optional.of(Role.OPERATOR), credentials.authenticate("olga", "pw".toCharArray()));
        assertEquals(1, credentials.derivations(), "the second login is remembered");

        assertEquals(Optional.empty(), credentials.authenticate("olga", "pX".toCharArray()));
        assertEquals(Optional.empty(), credentials.authenticate("olga", "pX".toCharArray()));
        assertEquals(Optional.empty(), credentials.authenticate("ghost", "pw".toCharArray()));
        assertEquals(4, credentials.derivations(), "failures are never remembered");

        Files.write(file, List.of(entry("olga", Role.VIEWER, "new")));
        assertEquals(Optional.empty(), credentials.authenticate("olga", "pw".toCharArray()), "changed password");
        assertEquals(Optional.of(Role.VIEWER), credentials.authenticate("olga", "new".toCharArray()), "and role");
    }

    @Test
    void openingAnOpenFileFailsAtOnce() throws IOException {
        Path file = privateFile(entry("olga", Role.OPERATOR, "pw"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

        assertThrows(IOException.class, () -> CredentialsFile.open(file));
    }
}
