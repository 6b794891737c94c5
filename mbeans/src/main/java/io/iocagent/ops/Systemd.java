package io.iocagent.ops;

import io.iocagent.systemd.SystemdException;
import java.util.ArrayList;
import java.util.List;

/** Turns a refused or failed systemd call into an {@link OperationException} a user can act on. */
final class Systemd {

    private Systemd() {
    }

    /** A systemd call; failures arrive as {@link SystemdException}. */
    @FunctionalInterface
    interface Call<T> {
        T run();
    }

    /** A systemd call with no result. */
    @FunctionalInterface
    interface Action {
        void run();
    }

    /** Runs {@code action}; see {@link #call}. */
    static void run(Action action, String what) throws OperationException {
        call(() -> {
            action.run();
            return null;
        }, what);
    }

    /**
     * Runs {@code call}.
     *
     * @param action what was being done, for the message when systemd gives none
     */
    static <T> T call(Call<T> call, String action) throws OperationException {
        try {
            return call.run();
        } catch (SystemdException e) {
            List<String> details = new ArrayList<>();
            e.hint().ifPresent(h -> details.add("  -> " + h));
            String problem = e.problem() == null || e.problem().isBlank() ? "Could not " + action + "." : e.problem();
            throw OperationException.failure(1, problem, details);
        }
    }
}
