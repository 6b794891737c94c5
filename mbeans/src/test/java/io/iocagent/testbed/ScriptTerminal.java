package io.iocagent.testbed;

import io.iocagent.ops.Terminal;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The terminal of a script: not interactive, no colour, every prompt read as closed input (as the
 * command line does on EOF). Lines go to the given consumers, for tests that assert on them.
 */
public final class ScriptTerminal implements Terminal {

    private final Consumer<String> out;
    private final Consumer<String> err;

    private ScriptTerminal(Consumer<String> out, Consumer<String> err) {
        this.out = out;
        this.err = err;
    }

    /** Drops every line. */
    public static ScriptTerminal quiet() {
        return new ScriptTerminal(line -> { }, line -> { });
    }

    /** Adds results and diagnostics alike to {@code lines}, in the order written. */
    public static ScriptTerminal into(List<String> lines) {
        return new ScriptTerminal(lines::add, lines::add);
    }

    /** Results to {@code out}, diagnostics to {@code err}. */
    public static ScriptTerminal of(Consumer<String> out, Consumer<String> err) {
        return new ScriptTerminal(out, err);
    }

    @Override
    public void out(String line) {
        out.accept(line);
    }

    @Override
    public void err(String line) {
        err.accept(line);
    }

    @Override
    public Optional<String> ask(String prompt) {
        return Optional.empty();
    }

    @Override
    public boolean interactive() {
        return false;
    }

    @Override
    public boolean colour() {
        return false;
    }
}
