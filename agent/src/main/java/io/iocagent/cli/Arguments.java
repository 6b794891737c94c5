package io.iocagent.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed command line, scanned left to right as the seed does: options may stand anywhere,
 * the first positional word is the command, the second the target, a third is an error.
 *
 * @param local       {@code --local}/{@code --user}: user manager and per-user directories
 * @param force       {@code -f}/{@code --force}: skip prompts (never hard errors)
 * @param verbosity   0, 1 ({@code -v}) or 2 ({@code -vv}); the last one given wins
 * @param json        {@code --json}: machine-readable output where a command offers it
 * @param command     the command word, if any
 * @param target      the command's argument, if any
 * @param config      {@code --config FILE} (or {@code --config=FILE}): the agent's settings file
 * @param settings    {@code --key=value} agent settings given as flags
 */
public record Arguments(boolean local, boolean force, int verbosity, boolean json,
                        Optional<String> command, Optional<String> target, Optional<String> config,
                        Map<String, String> settings) {

    /** What the scan decided before any command runs. */
    public sealed interface Outcome permits Parsed, ShowHelp, ShowVersion, Invalid {
    }

    /** Arguments to run. */
    public record Parsed(Arguments arguments) implements Outcome {
    }

    /** {@code -h}/{@code --help} was reached: print usage, exit 0. */
    public record ShowHelp() implements Outcome {
    }

    /** {@code -V}/{@code --version} was reached: print the version, exit 0. */
    public record ShowVersion() implements Outcome {
    }

    /** A bad token: print the error and usage, exit 1. */
    public record Invalid(String error) implements Outcome {
    }

    /**
     * Scans {@code args}. {@code -h} and {@code -V} act the moment they are reached, so tokens after
     * them are not examined; bundled short options ({@code -fv}) are unknown options.
     */
    public static Outcome parse(List<String> args) {
        boolean local = false;
        boolean force = false;
        boolean json = false;
        int verbosity = 0;
        String command = null;
        String target = null;
        String config = null;
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String token = args.get(i);
            if (token.equals("--config")) {
                if (i + 1 >= args.size()) {
                    return new Invalid("Option '--config' needs a file");
                }
                config = args.get(++i);
                continue;
            }
            if (token.startsWith("--config=")) {
                config = token.substring("--config=".length());
                continue;
            }
            if (token.startsWith("--") && token.indexOf('=') > 2) {
                settings.put(token.substring(2, token.indexOf('=')), token.substring(token.indexOf('=') + 1));
                continue;
            }
            switch (token) {
                case "--local", "--user" -> local = true;
                case "-f", "--force" -> force = true;
                case "-v" -> verbosity = 1;
                case "-vv" -> verbosity = 2;
                case "--json" -> json = true;
                case "-V", "--version" -> {
                    return new ShowVersion();
                }
                case "-h", "--help" -> {
                    return new ShowHelp();
                }
                default -> {
                    if (token.startsWith("-")) {
                        return new Invalid("Unknown option '" + token + "'");
                    } else if (command == null) {
                        command = token;
                    } else if (target == null) {
                        target = token;
                    } else if ("credential".equals(command) && !target.contains(":") && !token.contains(":")) {
                        // 'credential olivia operator' means 'credential olivia:operator'.
                        target = target + ":" + token;
                    } else {
                        return new Invalid("Unexpected argument '" + token + "'");
                    }
                }
            }
        }
        return new Parsed(new Arguments(local, force, verbosity, json,
                Optional.ofNullable(command), Optional.ofNullable(target), Optional.ofNullable(config), Map.copyOf(settings)));
    }
}
