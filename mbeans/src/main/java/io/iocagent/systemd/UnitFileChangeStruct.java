package io.iocagent.systemd;

import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.Position;

/**
 * Wire type: one change reported by {@code EnableUnitFiles}, {@code DisableUnitFiles} and
 * {@code LinkUnitFiles}, D-Bus signature {@code (sss)}: type ({@code symlink}, {@code unlink}),
 * file name, destination (empty for {@code unlink}). Callers see {@link UnitFileChange}.
 */
public final class UnitFileChangeStruct extends Struct {
    @Position(0)
    public final String type;
    @Position(1)
    public final String file;
    @Position(2)
    public final String destination;

    public UnitFileChangeStruct(String type, String file, String destination) {
        this.type = type;
        this.file = file;
        this.destination = destination;
    }
}
