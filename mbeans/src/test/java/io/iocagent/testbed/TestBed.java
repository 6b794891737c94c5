package io.iocagent.testbed;

import static org.junit.jupiter.api.Assertions.fail;

import io.iocagent.systemd.SystemdBus;
import io.iocagent.systemd.SystemdException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The integration test bed: a real {@code systemd --user} over its D-Bus user bus, real procServ,
 * and stand-in IOCs — isolated so a test run never touches a user's real IOCs.
 *
 * <p>Each instance owns a temporary root with its own conf and log directories, writes its unit
 * files into the manager's runtime unit directory, and has a unique unit template prefix
 * ({@code ioct<id>-@}), so its units are {@code ioct<id>-@NAME.service} and never
 * {@code epics-@NAME.service}. IOC names from {@link #iocName} carry the run id too, because
 * the user manager fixes the socket directory at {@code $XDG_RUNTIME_DIR/procserv/NAME}.
 * {@link #close()} stops every unit of the prefix, removes every unit file and link of it, and
 * deletes the root.
 *
 * <p>When procServ or a user manager is missing, {@link #open()} skips the test with one line naming
 * what is missing — unless {@code IOC_AGENT_IT_REQUIRED=1} (set by {@code .ci/run}) demands the
 * test bed, in which case the test fails.
 *
 * <p>{@code systemctl} is used here only as an independent oracle and for cleanup; the code under
 * test never forks it.
 */
public final class TestBed implements AutoCloseable {

    private static final Path PROCSERV = Path.of("/usr/bin/procServ");

    private final String runId;
    private final Path root;
    private final Path runtimeDir;
    private final Map<String, String> env;

    private TestBed(String runId, Path root, Path runtimeDir) {
        this.runId = runId;
        this.root = root;
        this.runtimeDir = runtimeDir;
        Map<String, String> e = new HashMap<>();
        e.put("XDG_RUNTIME_DIR", runtimeDir.toString());
        e.put("IOC_RUNNER_CONF_DIR", confDir().toString());
        e.put("IOC_RUNNER_SYSTEMD_DIR", systemdDir().toString());
        e.put("IOC_RUNNER_LOG_DIR", logDir().toString());
        e.put("IOC_RUNNER_UNIT_TEMPLATE", prefix());
        // The seed's test seam: a one-second dwell after the readiness marker keeps starts quick.
        e.put("IOC_RUNNER_TEST_CONFIRM_DWELL", "1");
        e.put("HOME", System.getProperty("user.home"));
        e.put("PATH", Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin"));
        this.env = Map.copyOf(e);
    }

    /** Opens a fresh test bed, or skips/fails the calling test when the machine lacks one. */
    public static TestBed open() {
        Path runtimeDir = Path.of(Optional.ofNullable(System.getenv("XDG_RUNTIME_DIR"))
                .orElse("/run/user/" + uid()));
        Optional<String> missing = missingPrerequisite(runtimeDir);
        requireOrSkip(missing.isEmpty(), missing.orElse(""));
        String runId = UUID.randomUUID().toString().substring(0, 6);
        try {
            Path root = Files.createTempDirectory("ioc-testbed-" + runId + "-");
            TestBed bed = new TestBed(runId, root, runtimeDir);
            for (Path dir : List.of(bed.confDir(), bed.systemdDir(), bed.logDir(), root.resolve("iocs"))) {
                Files.createDirectories(dir);
            }
            return bed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when {@code IOC_AGENT_IT_REQUIRED=1}: a missing test bed is a failure, not a skip. */
    public static boolean required() {
        return "1".equals(System.getenv("IOC_AGENT_IT_REQUIRED"))
                || "true".equals(System.getProperty("iocagent.it.required"));
    }

    private static Optional<String> missingPrerequisite(Path runtimeDir) {
        if (!Files.isExecutable(PROCSERV)) {
            return Optional.of("procServ not found at " + PROCSERV + " (install the Debian package 'procserv').");
        }
        Path bus = runtimeDir.resolve("bus");
        if (!Files.exists(bus)) {
            return Optional.of("no D-Bus user bus at " + bus
                    + " (no systemd user manager; start one with .ci/user-manager-up).");
        }
        String state = run(Map.of("XDG_RUNTIME_DIR", runtimeDir.toString()), "systemctl", "--user", "is-system-running").trim();
        if (!List.of("running", "degraded", "starting").contains(state)) {
            return Optional.of("the systemd user manager does not answer on " + runtimeDir
                    + " (state '" + state + "'; start one with .ci/user-manager-up).");
        }
        return Optional.empty();
    }

    /** Unit template prefix of this run, e.g. {@code ioct1a2b3c-@}. */
    public String prefix() {
        return prefix("");
    }

    /** Another template prefix of this run, {@code ioct<id><tag>-@}; cleaned up like the main one. */
    public String prefix(String tag) {
        return base() + tag + "-@";
    }

    /** What every unit, slice and link name of this run starts with. */
    private String base() {
        return "ioct" + runId;
    }

    /** The user bus socket. */
    public Path busSocket() {
        return runtimeDir.resolve("bus");
    }

    /** {@code unix:path=$XDG_RUNTIME_DIR/bus}. */
    public String busAddress() {
        return "unix:path=" + busSocket();
    }

    /**
     * A {@link SystemdBus} to this bed's manager, connected as the agent connects; the test is
     * skipped (failed under {@code IOC_AGENT_IT_REQUIRED=1}) when the manager does not answer.
     * The caller closes it.
     */
    public SystemdBus connect(Duration callTimeout) {
        try {
            return SystemdBus.connect(busAddress(), callTimeout);
        } catch (SystemdException e) {
            requireOrSkip(false, "cannot reach the user manager: " + e.problem());
            throw e;
        }
    }

    /**
     * Writes template {@code <prefix>.service} into this run's root with the given
     * {@code [Service]} lines and {@code WantedBy=default.target}; link it to use it.
     */
    public Path writeTemplate(String prefix, String... serviceLines) {
        if (!prefix.startsWith(base())) {
            throw new IllegalArgumentException("Test bed prefixes must start with " + base());
        }
        String text = "[Unit]\nDescription=iocagent test unit %i\n\n[Service]\n"
                + String.join("\n", serviceLines) + "\n\n[Install]\nWantedBy=default.target\n";
        try {
            return Files.writeString(root.resolve(prefix + ".service"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails (when the test bed is required) or skips the current test, naming what is missing. */
    public static void requireOrSkip(boolean present, String missing) {
        if (present) {
            return;
        }
        String line = "Integration test bed unavailable: " + missing;
        if (required()) {
            fail(line + " (IOC_AGENT_IT_REQUIRED=1 demands it)");
        }
        System.err.println("SKIPPED: " + line);
        Assumptions.abort(line);
    }

    /** A name unique to this run: {@code base-<runId>}. */
    public String iocName(String base) {
        return base + "-" + runId;
    }

    /** The unit of IOC {@code name} under this run's template. */
    public String unit(String name) {
        return prefix() + name + ".service";
    }

    public Path root() {
        return root;
    }

    public Path confDir() {
        return root.resolve("procServ.d");
    }

    /**
     * The unit directory: the user manager's runtime unit directory {@code $XDG_RUNTIME_DIR/systemd/user},
     * which is on its search path, so installs load their template without any link (names of this
     * run start with its prefix, and {@link #close()} removes them).
     */
    public Path systemdDir() {
        return runtimeDir.resolve("systemd/user");
    }

    public Path logDir() {
        return root.resolve("log");
    }

    /** Where the user manager puts socket directories ({@code RuntimeDirectory=procserv/%i}). */
    public Path runDir() {
        return runtimeDir.resolve("procserv");
    }

    public Path runtimeDir() {
        return runtimeDir;
    }

    /** Environment for the code under test: every IOC_RUNNER_* directory points into this run. */
    public Map<String, String> env() {
        return env;
    }

    /** The shipped stand-in IOC script, found from the working directory upwards. */
    public static Path standinScript() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("deploy/demo/standin-ioc");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("deploy/demo/standin-ioc not found above " + Path.of("").toAbsolutePath());
    }

    /**
     * Creates an iocBoot directory {@code <root>/iocs/<dirName>} whose executable {@code st.cmd}
     * runs the stand-in IOC with {@code behaviour}.
     */
    public Path iocBoot(String dirName, Behaviour behaviour) {
        Path dir = root.resolve("iocs").resolve(dirName);
        try {
            Files.createDirectories(dir);
            Path cmd = dir.resolve("st.cmd");
            Files.writeString(cmd, "#!/bin/sh\nexec " + standinScript() + " " + behaviour.argument() + "\n");
            Files.setPosixFilePermissions(cmd, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates an iocBoot directory {@code <root>/iocs/<dirName>} for a real EPICS IOC: an executable
     * {@code st.cmd} starting with {@code #!<EPICS bin>/softIoc} (or {@code softIocPVA} when
     * {@code pva}), a {@code test.db} of a few records named {@code <pvPrefix>temperature},
     * {@code <pvPrefix>counter} and {@code <pvPrefix>name}, and what {@code kind} adds. Give the
     * IOC its own CA port through its conf ({@code EPICS_CAS_SERVER_PORT}, see {@link EpicsBase}).
     */
    public Path epicsBoot(String dirName, EpicsIoc kind, boolean pva, String pvPrefix) {
        EpicsBase epics = EpicsBase.require();
        Path dir = root.resolve("iocs").resolve(dirName);
        String db = switch (kind) {
            case MISSING_DB -> "missing.db";
            default -> "test.db";
        };
        StringBuilder st = new StringBuilder()
                .append("#!").append(epics.tool(pva ? "softIocPVA" : "softIoc")).append('\n')
                .append("dbLoadRecords(\"").append(db).append("\", \"P=").append(pvPrefix).append("\")\n")
                .append("iocInit\n");
        if (kind == EpicsIoc.CRASH_AFTER_INIT) {
            // iocsh's system() runs sh, whose parent is the IOC itself.
            st.append("system(\"kill -SEGV $PPID\")\n");
        }
        String records = """
                record(ai, "$(P)temperature") {
                    field(VAL, "21.5")
                    field(PINI, "YES")
                }
                record(calc, "$(P)counter") {
                    field(SCAN, "1 second")
                    field(CALC, "A+1")
                    field(INPA, "$(P)counter")
                }
                record(stringin, "$(P)name") {
                    field(VAL, "$(P)")
                    field(PINI, "YES")
                }
                """;
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("test.db"), records);
            Path cmd = Files.writeString(dir.resolve("st.cmd"), st.toString());
            Files.setPosixFilePermissions(cmd, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code systemctl --user ARGS} (the oracle) and returns its stdout. */
    public String systemctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("systemctl", "--user"));
        cmd.addAll(List.of(args));
        return run(Map.of("XDG_RUNTIME_DIR", runtimeDir.toString()), cmd.toArray(String[]::new));
    }

    /** systemd's own view of a unit's ActiveState. */
    public String activeState(String unit) {
        return systemctl("show", "-P", "ActiveState", unit).trim();
    }

    /** The user manager's persistent unit directory (where link and enable put links). */
    public static Path userUnitConfigDir() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("systemd/user");
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
    public static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("Interrupted waiting for " + what);
            }
        }
    }

    /**
     * Stops and forgets every unit of this run, removes every link systemd made for it (persistent
     * and runtime), stops the {@code app-<template>.slice} the user manager creates per template
     * (it outlives the units), daemon-reloads and deletes the root. Only names of this run are
     * touched.
     */
    @Override
    public void close() {
        String pattern = base() + "*";
        systemctl("stop", pattern);
        systemctl("reset-failed", pattern);
        systemctl("stop", "app-" + pattern + ".slice");
        for (Path dir : List.of(userUnitConfigDir(), runtimeDir.resolve("systemd/user"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> entries = Files.walk(dir, 2)) {
                for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(base())).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                System.err.println("TestBed cleanup of " + dir + ": " + e);
            }
        }
        systemctl("daemon-reload");
        deleteTree(root);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("TestBed cleanup of " + root + ": " + e);
        }
    }

    private static String run(Map<String, String> extraEnv, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(extraEnv);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "cannot run " + command[0] + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException e) {
            return 0;
        }
    }
}
