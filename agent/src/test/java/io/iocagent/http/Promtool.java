package io.iocagent.http;

import io.iocagent.testbed.TestBed;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Prometheus' own tool, {@code promtool} (check metrics, check and test rules, check config), found on
 * the PATH. Missing: the test is
 * skipped with one line, or fails when {@code IOC_AGENT_IT_REQUIRED=1}. Debian/Ubuntu ship it in
 * the package {@code prometheus}.
 */
final class Promtool {

    /** Exit code and combined output of one run. */
    record Result(int exitCode, String output) {
    }

    private final Path binary;

    private Promtool(Path binary) {
        this.binary = binary;
    }

    static Promtool require() {
        Optional<Path> found = Stream.of(Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin").split(":"))
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst();
        TestBed.requireOrSkip(found.isPresent(),
                "promtool not found on PATH (Debian/Ubuntu: apt-get install prometheus).");
        return new Promtool(found.orElseThrow());
    }

    /** {@code promtool check metrics} on {@code exposition}: 0 clean, 3 lint findings, 1 parse error. */
    Result checkMetrics(String exposition) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("promtool did not finish within 30 s");
        }
        return new Result(p.exitValue(), output);
    }

    /** {@code promtool ARGS} run in {@code directory} (relative paths in the files resolve from there). */
    Result run(Path directory, String... args) throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(binary.toString()));
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("promtool " + String.join(" ", args) + " did not finish within 60 s");
        }
        return new Result(p.exitValue(), output);
    }
}
