package io.iocagent.console;

import io.iocagent.ops.OperationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An external console client named by {@code IOC_RUNNER_CON_TOOL} (the seed's {@code con}
 * override, which it checks with {@code -f && -x} and then treats as {@code con}).
 *
 * <p>The seed {@code exec}s the tool; Java cannot replace its own process, so the tool runs as a
 * child with inherited stdin, stdout and stderr while the JVM waits, and its exit status becomes
 * ours. Both processes share the terminal's process group, so a signal from the terminal reaches
 * both.
 */
final class ConsoleTool {

    static final String VARIABLE = "IOC_RUNNER_CON_TOOL";

    private final Path executable;

    private ConsoleTool(Path executable) {
        this.executable = executable;
    }

    /**
     * The tool named by {@code IOC_RUNNER_CON_TOOL}, or empty when the variable is unset or empty.
     *
     * @throws OperationException the variable names something that is not an executable regular
     *                            file (the seed's error, exit 1)
     */
    static Optional<ConsoleTool> fromEnvironment(Map<String, String> env) throws OperationException {
        String value = env.get(VARIABLE);
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        Path p = Path.of(value);
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            throw OperationException.failure(VARIABLE + " '" + value + "' is not an executable file.",
                    "  -> Point it at a console client such as con (https://github.com/jeonghanlee/con),"
                            + " or unset it to use the built-in console.");
        }
        return Optional.of(new ConsoleTool(p.toAbsolutePath()));
    }

    Path executable() {
        return executable;
    }

    /** Runs {@code <tool> -c <socket>}, or {@code <tool> -r -c <socket>} when read-only; returns its status. */
    int run(Path socket, boolean readOnly) throws OperationException {
        List<String> command = new ArrayList<>(List.of(executable.toString()));
        if (readOnly) {
            command.add("-r");
        }
        command.addAll(List.of("-c", socket.toString()));
        Process process;
        try {
            process = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            throw OperationException.failure("Cannot run " + VARIABLE + " '" + executable + "': " + e.getMessage(),
                    "  -> Check the file, or unset " + VARIABLE + " to use the built-in console.");
        }
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw OperationException.failure("Interrupted while " + executable + " was running; it was stopped.");
        }
    }
}
