package io.iocagent.ops;

import java.util.Optional;

/** The seed's yes/no prompt: only {@code y} or {@code Y} confirms; EOF and anything else abort. */
final class Prompts {

    private Prompts() {
    }

    /**
     * Asks {@code question}; returns when confirmed.
     *
     * @param activity what is aborted otherwise, e.g. "installation" or "generation"
     * @throws OperationException (already reported) when input is closed or the answer is not yes
     */
    static void confirm(Terminal t, String question, String activity) throws OperationException {
        Optional<String> answer = t.ask(question);
        if (answer.isEmpty()) {
            t.err("");
            t.err("Info: Input stream closed (EOF). Aborting " + activity + ".");
            throw OperationException.alreadyReported(capitalised(activity) + " aborted: input closed");
        }
        if (!isYes(answer.get())) {
            t.out(capitalised(activity) + " aborted by user.");
            throw OperationException.alreadyReported(capitalised(activity) + " aborted by user");
        }
    }

    /** The seed's {@code ^[Yy]$}. */
    static boolean isYes(String answer) {
        return answer.equals("y") || answer.equals("Y");
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
