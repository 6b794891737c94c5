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

    /**
     * {@code -h}/{@code --help} was reached: print usage, exit 0.
     *
     * @param command the command word of the line (before or after the option), whose own help is
     *                wanted; empty for the global help
     */
    public record ShowHelp(Optional<String> command) implements Outcome {
    }

    /** {@code -V}/{@code --version} was reached: print the version, exit 0. */
    public record ShowVersion() implements Outcome {
    }

    /**
     * A bad token: print the error and a hint, exit 1.
     *
     * @param error   what is wrong, naming the token
     * @param token   the offending token, for a "did you mean" hint
     * @param command the command word of the line, if any, for a hint to its own help
     */
    public record Invalid(String error, String token, Optional<String> command) implements Outcome {
    }

    /**
     * Scans {@code args}. {@code -h} and {@code -V} act the moment they are reached, so tokens after
     * them are not examined; bundled short options ({@code -fv}) are unknown options.
     */
    public static Outcome parse(List<String> args) {
        Optional<String> commandWord = firstPositional(args);
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
                    return new Invalid("Option '--config' needs a file", token, commandWord);
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
                    return new ShowHelp(commandWord);
                }
                default -> {
                    if (token.startsWith("-")) {
                        return new Invalid("Unknown option '" + token + "'", token, commandWord);
                    } else if (command == null) {
                        command = token;
                    } else if (target == null) {
                        target = token;
                    } else if ("credential".equals(command) && !target.contains(":") && !token.contains(":")) {
                        // 'credential olivia operator' means 'credential olivia:operator'.
                        target = target + ":" + token;
                    } else {
                        return new Invalid("Unexpected argument '" + token + "'", token, commandWord);
                    }
                }
            }
        }
        return new Parsed(new Arguments(local, force, verbosity, json,
                Optional.ofNullable(command), Optional.ofNullable(target), Optional.ofNullable(config), Map.copyOf(settings)));
    }

    /** The command word wherever it stands: the first word that is neither an option nor the file of {@code --config}. */
    private static Optional<String> firstPositional(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String token = args.get(i);
            if (token.equals("--config")) {
                i++;
            } else if (!token.startsWith("-")) {
                return Optional.of(token);
            }
        }
        return Optional.empty();
    }
}
