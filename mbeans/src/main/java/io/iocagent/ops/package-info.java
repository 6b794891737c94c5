/**
 * Operations on IOCs — generate, install, remove, start, stop, restart, enable, disable, status,
 * view — implemented once and called by every surface (command line now, MBeans later). They
 * talk to the user through a {@link io.iocagent.ops.Terminal} and fail with an
 * {@link io.iocagent.ops.OperationException} carrying the message, hint lines and exit code.
 * Depends on {@code conf}, {@code crash}, {@code systemd} and {@code posix}.
 */
package io.iocagent.ops;
