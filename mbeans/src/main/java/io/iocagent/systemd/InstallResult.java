package io.iocagent.systemd;

import org.freedesktop.dbus.Tuple;
import org.freedesktop.dbus.annotations.Position;

/**
 * Wire type: the two return values of {@code EnableUnitFiles}, {@code (b, a(sss))}.
 *
 * <p>Generic on purpose: dbus-java takes the element type of the list from the type arguments of
 * the method's declared return type ({@code InstallResult<Boolean, List<UnitFileChangeStruct>>}); a
 * non-generic Tuple with a {@code List} field fails to export ("non-exportable type") and is not
 * relied on for calls either.
 *
 * @param <A> {@code Boolean}: whether the unit file carried install information
 * @param <B> {@code List<UnitFileChangeStruct>}: the changes made
 */
public final class InstallResult<A, B> extends Tuple {
    @Position(0)
    public final A carriesInstallInfo;
    @Position(1)
    public final B changes;

    public InstallResult(A carriesInstallInfo, B changes) {
        this.carriesInstallInfo = carriesInstallInfo;
        this.changes = changes;
    }
}
