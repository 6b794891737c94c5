package io.iocagent.console;

import io.iocagent.ops.Terminal;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link Terminal} that keeps every line, for assertions; never interactive unless asked. */
final class RecordingTerminal implements Terminal {

    final List<String> out = new CopyOnWriteArrayList<>();
    final List<String> err = new CopyOnWriteArrayList<>();
    private final boolean interactive;

    RecordingTerminal() {
        this(false);
    }

    RecordingTerminal(boolean interactive) {
        this.interactive = interactive;
    }

    @Override
    public void out(String line) {
        out.add(line);
    }

    @Override
    public void err(String line) {
        err.add(line);
    }

    @Override
    public Optional<String> ask(String prompt) {
        throw new AssertionError("the console never prompts: " + prompt);
    }

    @Override
    public boolean interactive() {
        return interactive;
    }

    @Override
    public boolean colour() {
        return false;
    }
}
