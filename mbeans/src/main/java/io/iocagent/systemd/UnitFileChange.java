package io.iocagent.systemd;

import java.util.Objects;

/**
 * One change systemd made to the unit file directories when enabling, disabling or linking.
 *
 * @param type        {@code symlink} or {@code unlink} (systemd may also report e.g. {@code is-mask})
 * @param file        the symlink created or removed
 * @param destination what a new symlink points to; empty for {@code unlink}
 */
public record UnitFileChange(String type, String file, String destination) {

    public UnitFileChange {
        type = Objects.requireNonNullElse(type, "");
        file = Objects.requireNonNullElse(file, "");
        destination = Objects.requireNonNullElse(destination, "");
    }

    /** The line {@code systemctl} prints for this change, e.g. {@code Created symlink a → b.}. */
    public String describe() {
        return switch (type) {
            case "symlink" -> "Created symlink " + file + " \u2192 " + destination + ".";
            case "unlink" -> "Removed \"" + file + "\".";
            default -> type + " " + file + (destination.isEmpty() ? "" : " \u2192 " + destination);
        };
    }

    static UnitFileChange of(UnitFileChangeStruct wire) {
        return new UnitFileChange(wire.type, wire.file, wire.destination);
    }
}
