package io.iocagent.deploy;

import io.iocagent.testbed.TestBed;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A temporary root prefix for {@code deploy/bin/setup-system-infra --root}: runs the real script
 * against it and reads back what it made (accounts from its {@code etc/passwd} and
 * {@code etc/group}, owners, modes with setgid bits, ACLs). Nothing outside the prefix is touched.
 *
 * <p>{@link #open()} skips the calling test — or fails it when {@code IOC_AGENT_IT_REQUIRED=1} —
 * unless it runs as root with the tools the script needs and the built jar.
 */
final class StagingRoot implements AutoCloseable {

    /** Top of the source tree (the tests run in the agent module). */
    static final Path SOURCE_TOP = Path.of("").toAbsolutePath().getParent();
    static final Path SCRIPT = SOURCE_TOP.resolve("deploy/bin/setup-system-infra");
    static final Path JAR = SOURCE_TOP.resolve("agent/target/ioc-agent.jar");

    /** Exit code and combined output of one run of a command. */
    record Result(int exitCode, String output) {
    }

    private final Path root;

    private StagingRoot(Path root) {
        this.root = root;
    }

    static StagingRoot open() {
        TestBed.requireOrSkip("0".equals(run(Map.of(), "id", "-u").output().strip()),
                "setup-system-infra must run as root (CI runs as root).");
        for (String[] tool : new String[][] {{"setfacl", "acl"}, {"getfacl", "acl"}, {"visudo", "sudo"},
                {"logrotate", "logrotate"}, {"useradd", "passwd"}, {"groupadd", "passwd"}}) {
            TestBed.requireOrSkip(onPath(tool[0]).isPresent(),
                    tool[0] + " not found on PATH (Debian/Ubuntu: apt-get install " + tool[1] + ").");
        }
        TestBed.requireOrSkip(procServ().isPresent(), "procServ not found (Debian/Ubuntu: apt-get install procserv).");
        TestBed.requireOrSkip(Files.isRegularFile(JAR), JAR + " not built (mvn -B package).");
        try {
            return new StagingRoot(Files.createTempDirectory("ioc-setup-root-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The procServ the script resolves: {@code /usr/local/bin/procServ}, else {@code /usr/bin/procServ}. */
    static Optional<Path> procServ() {
        return Stream.of("/usr/local/bin/procServ", "/usr/bin/procServ").map(Path::of).filter(Files::isExecutable).findFirst();
    }

    static Optional<Path> onPath(String tool) {
        return Stream.of(path().split(":"))
                .map(dir -> Path.of(dir, tool))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The caller's PATH with the sbin directories the account tools live in. */
    static String path() {
        return Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin") + ":/usr/sbin:/sbin";
    }

    Path root() {
        return root;
    }

    /** {@code path} inside the prefix: {@code /etc/x} → {@code <root>/etc/x}. */
    Path at(String path) {
        return root.resolve(path.substring(1));
    }

    /** Runs the script with {@code --root <this root>} and {@code args}, stdin from /dev/null. */
    Result setup(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        command.add("--root");
        command.add(root.toString());
        Map<String, String> e = new HashMap<>(Map.of("IOC_AGENT_JAR", JAR.toString()));
        e.putAll(env);
        return run(e, command.toArray(String[]::new));
    }

    Result setup(String... args) {
        return setup(Map.of(), args);
    }

    /** Runs a command with a clean environment (PATH, JAVA_HOME and {@code env}), no stdin. */
    static Result run(Map<String, String> env, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("IOC_RUNNER_") || k.startsWith("IOC_AGENT_"));
        e.put("PATH", path());
        e.putAll(env);
        try {
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 120 s:\n" + output);
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e1) {
            throw new UncheckedIOException(e1);
        } catch (InterruptedException e1) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e1);
        }
    }

    /** One line of the prefix's {@code etc/passwd} or {@code etc/group} by name, split on ':'. */
    String[] entry(String file, String name) {
        try {
            return Files.readAllLines(at("/etc/" + file)).stream()
                    .map(l -> l.split(":", -1))
                    .filter(f -> f[0].equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + " in " + at("/etc/" + file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int uid(String user) {
        return Integer.parseInt(entry("passwd", user)[2]);
    }

    int gid(String group) {
        return Integer.parseInt(entry("group", group)[2]);
    }

    /** Permission bits with setuid/setgid/sticky, e.g. {@code 02770}. */
    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    static int owner(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    static int group(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    /** The backups the script made, by file name. */
    List<String> backups() throws IOException {
        Path dir = at("/var/backups/ioc-agent");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
