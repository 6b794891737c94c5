package io.iocagent.jmx;

import io.iocagent.ops.Terminal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The terminal of a JMX caller: nobody can answer, so every prompt reads as closed input (the
 * operations then abort before changing anything, as they do on EOF), and every line — regular
 * output and diagnostics, in the order written — is kept to become the operation's result or
 * error text. Thread-safe, though an operation normally writes from one thread.
 */
final class Transcript implements Terminal {

    private final List<String> lines = new ArrayList<>();
    private boolean prompted;

    @Override
    public synchronized void out(String line) {
        lines.add(line);
    }

    @Override
    public synchronized void err(String line) {
        lines.add(line);
    }

    /** Records the prompt and answers "input closed". */
    @Override
    public synchronized Optional<String> ask(String prompt) {
        lines.add(prompt.strip());
        prompted = true;
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

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The lines joined by newlines, without a trailing one. */
    public synchronized String text() {
        return String.join("\n", lines);
    }

    /** The last line printed (the verdict of a start), "" when nothing was. */
    public synchronized String lastLine() {
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** True when the operation asked a question (which was answered with "input closed"). */
    public synchronized boolean prompted() {
        return prompted;
    }
}
