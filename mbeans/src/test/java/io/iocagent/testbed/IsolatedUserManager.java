package io.iocagent.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code systemd --user} of its own, for a test that kills a bus or a manager: a new login user
 * ({@code iocf<id>}, created here, deleted by {@link #close()}) whose manager runs in
 * {@code user-UID.slice} of both cgroup hierarchies, with its socket-activated dbus-daemon on
 * {@code /run/user/UID/bus} — the way {@code deploy/demo/user-manager-up} starts root's. Nothing a
 * test does here can disturb the shared user manager on {@code /run/user/0/bus} or anyone else's
 * tests.
 *
 * <p>A session bus admits only its own user (root included is refused), so whatever talks to this
 * bus runs as the user: {@link #command} wraps a command line in {@code runuser}.
 *
 * <p>Needs root, {@code useradd}, {@code runuser} and systemd; otherwise {@link #start()} skips or
 * fails the test as {@link TestBed#requireOrSkip} does.
 */
public final class IsolatedUserManager implements AutoCloseable {

    private static final Path SYSTEMD = Path.of("/usr/lib/systemd/systemd");
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(30);

    private final String user;
    private final int uid;
    private final Path home;
    private final Path runtimeDir;
    private final Path launcher;

    private IsolatedUserManager(String user, int uid, Path home, Path launcher) {
        this.user = user;
        this.uid = uid;
        this.home = home;
        this.runtimeDir = Path.of("/run/user", String.valueOf(uid));
        this.launcher = launcher;
    }

    /** Creates the user and starts its manager; returns once the manager answers on its bus. */
    public static IsolatedUserManager start() {
        boolean root = "0".equals(output(List.of("id", "-u")).trim());
        TestBed.requireOrSkip(root, "an isolated user manager needs root (to create a user and its cgroups)");
        TestBed.requireOrSkip(Files.isExecutable(SYSTEMD), SYSTEMD + " is missing (apt-get install systemd)");
        String user = "iocf" + UUID.randomUUID().toString().substring(0, 6);
        check(List.of("useradd", "--create-home", "--shell", "/bin/sh", user), "create user " + user);
        IsolatedUserManager m = null;
        try {
            int uid = Integer.parseInt(output(List.of("id", "-u", user)).trim());
            Path home = Path.of(output(List.of("getent", "passwd", user)).trim().split(":")[5]);
            Path launcher = Files.createTempFile("ioc-isolated-manager-", ".sh");
            m = new IsolatedUserManager(user, uid, home, launcher);
            m.prepare();
            m.startManager();
            m.run("busctl", "--user", "status"); // socket-activates the dbus-daemon now
            IsolatedUserManager started = m;
            TestBed.await(UP_TIMEOUT, "the dbus-daemon of " + user, () -> started.busDaemonPids().size() == 1);
            return m;
        } catch (IOException e) {
            if (m != null) {
                m.close();
            } else {
                output(List.of("userdel", "--remove", user));
            }
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            if (m != null) {
                m.close();
            } else {
                output(List.of("userdel", "--remove", user));
            }
            throw e;
        }
    }

    private void prepare() throws IOException {
        Files.createDirectories(Path.of("/run/systemd/system"));
        Files.createDirectories(runtimeDir);
        check(List.of("chown", user + ":", runtimeDir.toString()), "chown " + runtimeDir);
        Files.setPosixFilePermissions(runtimeDir, PosixFilePermissions.fromString("rwx------"));
        StringBuilder script = new StringBuilder("#!/bin/bash\nset -e\n");
        for (Path slice : slices()) {
            script.append("mkdir -p ").append(slice).append('\n')
                    .append("chown -R ").append(uid).append(' ').append(slice).append('\n')
                    .append("echo $$ > ").append(slice).append("/cgroup.procs\n");
        }
        script.append("exec runuser -u ").append(user).append(" -- env XDG_RUNTIME_DIR=").append(runtimeDir)
                .append(" HOME=").append(home).append(' ').append(SYSTEMD).append(" --user\n");
        Files.writeString(launcher, script.toString());
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
    }

    /** {@code user-UID.slice} in every cgroup hierarchy that exists here. */
    private List<Path> slices() {
        List<Path> slices = new ArrayList<>();
        for (String h : List.of("unified", "systemd")) {
            Path root = Path.of("/sys/fs/cgroup", h);
            if (Files.isDirectory(root)) {
                slices.add(root.resolve("user-" + uid + ".slice"));
            }
        }
        if (slices.isEmpty()) {
            slices.add(Path.of("/sys/fs/cgroup/user-" + uid + ".slice")); // a pure cgroup2 host
        }
        return slices;
    }

    public String user() {
        return user;
    }

    public int uid() {
        return uid;
    }

    public Path home() {
        return home;
    }

    public Path runtimeDir() {
        return runtimeDir;
    }

    /** The user bus socket, {@code /run/user/UID/bus}. */
    public Path busSocket() {
        return runtimeDir.resolve("bus");
    }

    public String busAddress() {
        return "unix:path=" + busSocket();
    }

    /** {@code XDG_RUNTIME_DIR}, {@code HOME}, {@code USER} and {@code PATH} of the user. */
    public Map<String, String> env() {
        Map<String, String> env = new TreeMap<>();
        env.put("XDG_RUNTIME_DIR", runtimeDir.toString());
        env.put("HOME", home.toString());
        env.put("USER", user);
        env.put("LOGNAME", user);
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        return env;
    }

    /** {@code runuser -u USER -- env K=V… COMMAND…}: runs {@code command} as the user with {@link #env()} plus {@code extraEnv}. */
    public List<String> command(Map<String, String> extraEnv, List<String> command) {
        List<String> line = new ArrayList<>(List.of("runuser", "-u", user, "--", "env"));
        Map<String, String> env = new TreeMap<>(env());
        env.putAll(extraEnv);
        env.forEach((k, v) -> line.add(k + "=" + v));
        line.addAll(command);
        return line;
    }

    /** Runs {@code command} as the user and returns its output (stdout and stderr). */
    public String run(String... command) {
        return output(command(Map.of(), List.of(command)));
    }

    /** {@code systemctl --user ARGS} as the user (over the manager's private socket, not the bus). */
    public String systemctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("systemctl", "--user"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** The PID of the user's {@code systemd --user}, if one runs. */
    public OptionalLong managerPid() {
        List<Long> pids = processes("systemd");
        return pids.isEmpty() ? OptionalLong.empty() : OptionalLong.of(pids.get(pids.size() - 1));
    }

    /** The PIDs of the user's dbus-daemons (more than one after the manager was replaced). */
    public List<Long> busDaemonPids() {
        return processes("dbus-daemon");
    }

    /** SIGKILLs {@code systemd --user} (only it: its units, dbus-daemon included, live on); waits until it is gone. */
    public void killManager() {
        long pid = managerPid().orElseThrow(() -> new IllegalStateException("no systemd --user runs for " + user));
        kill(pid);
    }

    /** SIGKILLs the user's dbus-daemons; waits until they are gone. */
    public void killBus() {
        busDaemonPids().forEach(IsolatedUserManager::kill);
    }

    /** Starts a (new) {@code systemd --user}; returns once it answers. */
    public void startManager() {
        try {
            new ProcessBuilder("setsid", launcher.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(launcher.resolveSibling(launcher.getFileName() + ".log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestBed.await(UP_TIMEOUT, "systemd --user of " + user + " to answer", () -> {
            String state = systemctl("is-system-running").trim();
            return state.equals("running") || state.equals("degraded");
        });
    }

    /**
     * Kills every process of the user, removes its cgroups, runtime directory and the user with its
     * home. Only this user's processes are touched: the uid was created by {@link #start()}.
     */
    @Override
    public void close() {
        for (int round = 0; round < 50; round++) {
            List<Long> pids = processes(null);
            if (pids.isEmpty()) {
                break;
            }
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            sleep(100);
        }
        for (Path slice : slices()) {
            if (!Files.isDirectory(slice)) {
                continue;
            }
            try (Stream<Path> dirs = Files.walk(slice)) {
                for (Path d : dirs.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                    try {
                        Files.delete(d); // cgroupfs: rmdir of an empty cgroup (its control files go with it)
                    } catch (IOException e) {
                        System.err.println("IsolatedUserManager cleanup of " + d + ": " + e);
                    }
                }
            } catch (IOException e) {
                System.err.println("IsolatedUserManager cleanup of " + slice + ": " + e);
            }
        }
        output(List.of("rm", "-rf", runtimeDir.toString()));
        output(List.of("userdel", "--remove", user));
        try {
            Files.deleteIfExists(launcher);
            Files.deleteIfExists(launcher.resolveSibling(launcher.getFileName() + ".log"));
        } catch (IOException e) {
            System.err.println("IsolatedUserManager cleanup of " + launcher + ": " + e);
        }
    }

    /** PIDs (ascending) of this user's processes, with {@code comm} equal to {@code name} unless it is null. */
    private List<Long> processes(String name) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path p : entries.filter(e -> e.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    if (((Number) Files.getAttribute(p, "unix:uid")).intValue() != uid) {
                        continue;
                    }
                    if (name != null && !Files.readString(p.resolve("comm"), StandardCharsets.UTF_8).trim().equals(name)) {
                        continue;
                    }
                    if (Files.readString(p.resolve("stat")).replaceFirst(".*\\) ", "").startsWith("Z")) {
                        continue; // a zombie is dead already
                    }
                    pids.add(Long.parseLong(p.getFileName().toString()));
                } catch (IOException e) {
                    // exited while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pids.sort(null);
        return pids;
    }

    private static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroyForcibly();
            h.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        });
    }

    private static void check(List<String> command, String what) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("Cannot " + what + ": " + String.join(" ", command) + " said " + out.trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + what, e);
        }
    }

    /** What {@code command} printed (stdout and stderr), or why it could not run; waits at most 60 s. */
    static String output(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out;
        } catch (IOException e) {
            return "cannot run " + command.get(0) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
