package io.iocagent.conf;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a conf is validated against: the mode, the identity that mode requires, and the
 * directories of the caller's {@code PATH} where a bare {@code IOC_CMD} may be found.
 *
 * <p>Like the seed, the checks run as the caller, so in system mode "executable" means executable
 * by the operator, not necessarily by the service account.
 */
public record ValidationContext(Mode mode, Identity expected, List<Path> searchPath) {

    public ValidationContext {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(expected, "expected");
        searchPath = List.copyOf(searchPath);
    }
}
