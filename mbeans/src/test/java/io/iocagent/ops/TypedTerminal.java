package io.iocagent.ops;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * A person at a terminal, for unit tests of prompts: interactive, answering each prompt with the
 * next of the given lines (closed input once they run out), keeping what was written, asked and
 * what the progress line was told to wait for.
 */
final class TypedTerminal implements Terminal {

    final List<String> out = new ArrayList<>();
    final List<String> err = new ArrayList<>();
    final List<String> prompts = new ArrayList<>();
    /** What the progress line was told to wait for, in order; {@code (closed)} when it was closed. */
    final List<String> waits = new ArrayList<>();
    private final Deque<String> answers;
    private final boolean colour;

    private TypedTerminal(boolean colour, String... answers) {
        this.colour = colour;
        this.answers = new ArrayDeque<>(Arrays.asList(answers));
    }

    /** Types {@code answers}, one per prompt, then closes input; no colour. */
    static TypedTerminal typing(String... answers) {
        return new TypedTerminal(false, answers);
    }

    /** As {@link #typing}, on a terminal that shows colour. */
    static TypedTerminal colourTyping(String... answers) {
        return new TypedTerminal(true, answers);
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
        prompts.add(prompt);
        return Optional.ofNullable(answers.poll());
    }

    @Override
    public boolean interactive() {
        return true;
    }

    @Override
    public boolean colour() {
        return colour;
    }

    @Override
    public Progress progress() {
        return new Progress() {
            @Override
            public void waitingFor(String what, java.time.Duration limit) {
                waits.add(what);
            }

            @Override
            public void close() {
                waits.add("(closed)");
            }
        };
    }
}
