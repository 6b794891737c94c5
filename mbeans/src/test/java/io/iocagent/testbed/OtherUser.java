package io.iocagent.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway local account (with its own group of the same name) that plants links and files the
 * way a hostile user would, for tests that run as root and must prove they do not follow or
 * disclose them. Created with {@code useradd}, removed with {@code userdel} on close. Requires
 * root; a test without it is skipped (or fails where the test bed is required).
 */
public final class OtherUser implements AutoCloseable {

    private final String name;
    private final int uid;

    private OtherUser(String name, int uid) {
        this.name = name;
        this.uid = uid;
    }

    /** Creates a new account named {@code iocx-<random>}, no home, no login shell. */
    public static OtherUser create() {
        TestBed.requireOrSkip(io.iocagent.posix.Posix.euid() == 0, "not root: cannot create a throwaway user");
        String name = "iocx-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 40), 36);
        run("useradd", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name);
        return new OtherUser(name, Integer.parseInt(run("id", "-u", name).strip()));
    }

    public String name() {
        return name;
    }

    /** Its own group, created with it. */
    public String group() {
        return name;
    }

    public int uid() {
        return uid;
    }

    /** Runs {@code command} as this user; returns its stdout, fails the test on a non-zero exit. */
    public String as(String... command) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", name, "--"));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    /** Makes {@code path} this user's (owner and group). */
    public void owns(Path path) throws IOException {
        run("chown", "-h", name + ":" + name, path.toString());
    }

    @Override
    public void close() {
        run("userdel", name);
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    /** Writes {@code text} to {@code file} as root with {@code mode}, e.g. a file only root may read. */
    public static Path rootFile(Path file, String text, String mode) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
        return file;
    }
}
