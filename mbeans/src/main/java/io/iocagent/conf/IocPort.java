package io.iocagent.conf;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The console endpoint procServ is told to open ({@code IOC_PORT}, seed §2.5). The agent owns its
 * value: a UNIX socket at a fixed place under the run directory, so that attach, list and the
 * systemd unit all find it without reading anything but the name. procServ's
 * {@code unix:user:group:perm:path} spec makes the socket {@code 0660 user:group}.
 */
public final class IocPort {

    private IocPort() {
    }

    /** {@code unix:<user>:<group>:0660:<runDir>/<name>/control}. */
    public static String standard(Identity identity, Path runDir, IocName name) {
        return "unix:" + identity.user() + ":" + identity.group() + ":0660:"
                + runDir.resolve(name.value()).resolve("control");
    }

    /** The socket file of a port spec: the text after its last {@code ':'} (all of it if none). */
    public static Path socketPath(String port) {
        return Path.of(port.substring(port.lastIndexOf(':') + 1));
    }

    /**
     * What install does with the conf's {@code IOC_PORT}: empty or already standard is accepted;
     * in system mode any other value is an error (the operator must not point the socket
     * elsewhere); in local mode it is replaced with one warning.
     *
     * @param confValue the conf's value, {@code ""} when unset
     * @param standard  {@link #standard} for this IOC and mode
     */
    public static Normalization normalize(Mode mode, String confValue, String standard) {
        if (confValue.isEmpty() || confValue.equals(standard)) {
            return new Normalization(Normalization.Outcome.STANDARD, standard, "");
        }
        if (mode == Mode.SYSTEM) {
            return new Normalization(Normalization.Outcome.MISMATCH, standard,
                    "IOC_PORT mismatch. Expected: " + standard);
        }
        return new Normalization(Normalization.Outcome.REPLACED, standard,
                "IOC_PORT in the conf is replaced by the local standard socket path ("
                        + socketPath(standard) + ").");
    }

    /**
     * The result of {@link #normalize}.
     *
     * @param port    the port to install (the standard one in every outcome)
     * @param message empty for {@code STANDARD}; the error for {@code MISMATCH} (install must stop);
     *                the warning for {@code REPLACED}. No "Error: "/"Warning: " prefix.
     */
    public record Normalization(Outcome outcome, String port, String message) {

        public Normalization {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(port, "port");
            Objects.requireNonNull(message, "message");
        }

        /** How the conf's value relates to the standard port. */
        public enum Outcome {
            /** Empty or equal to the standard: use it silently. */
            STANDARD,
            /** System mode, different value: an error, install stops. */
            MISMATCH,
            /** Local mode, different value: the standard is used, with a warning. */
            REPLACED
        }
    }
}
