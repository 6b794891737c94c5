package io.iocagent.testbed;

import io.iocagent.ops.Progress;
import io.iocagent.ops.Terminal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A terminal for unit tests that keeps everything written to it: the lines, the prompts, and what
 * the progress line was told to wait for. Either a person typing (interactive, each prompt answered
 * with the next given line, closed input once they run out) or a terminal no command may prompt on
 * (a prompt fails the test). Thread-safe, for commands that write from several threads.
 */
public final class RecordingTerminal implements Terminal {

    public final List<String> out = new CopyOnWriteArrayList<>();
    public final List<String> err = new CopyOnWriteArrayList<>();
    public final List<String> prompts = new CopyOnWriteArrayList<>();
    /** What the progress line was told to wait for, in order; {@code (closed)} when it was closed. */
    public final List<String> waits = new CopyOnWriteArrayList<>();
    /** The lines still to type; null when a prompt is a failure. */
    private final Deque<String> answers;
    private final boolean interactive;
    private final boolean colour;

    private RecordingTerminal(boolean interactive, boolean colour, Deque<String> answers) {
        this.interactive = interactive;
        this.colour = colour;
        this.answers = answers;
    }

    /** A person who types {@code answers}, one per prompt, then closes input; no colour. */
    public static RecordingTerminal typing(String... answers) {
        return new RecordingTerminal(true, false, new ArrayDeque<>(Arrays.asList(answers)));
    }

    /** As {@link #typing}, on a terminal that shows colour. */
    public static RecordingTerminal colourTyping(String... answers) {
        return new RecordingTerminal(true, true, new ArrayDeque<>(Arrays.asList(answers)));
    }

    /** A terminal that is not interactive and on which no command may prompt. */
    public static RecordingTerminal unprompted() {
        return unprompted(false);
    }

    /** A terminal, interactive or not, on which no command may prompt. */
    public static RecordingTerminal unprompted(boolean interactive) {
        return new RecordingTerminal(interactive, false, null);
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
        if (answers == null) {
            throw new AssertionError("nothing may prompt on this terminal, but it was asked: " + prompt);
        }
        prompts.add(prompt);
        synchronized (answers) {
            return Optional.ofNullable(answers.poll());
        }
    }

    @Override
    public boolean interactive() {
        return interactive;
    }

    @Override
    public boolean colour() {
        return colour;
    }

    @Override
    public Progress progress() {
        return new Progress() {
            @Override
            public void waitingFor(String what, Duration limit) {
                waits.add(what);
            }

            @Override
            public void close() {
                waits.add("(closed)");
            }
        };
    }
}
