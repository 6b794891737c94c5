/**
 * Operations on IOCs — generate, install, remove, start, stop, restart, enable, disable, status,
 * view — implemented once and called by every surface (command line now, MBeans later). They
 * talk to the user through a {@link io.iocagent.ops.Terminal} and fail with an
 * {@link io.iocagent.ops.OperationException} carrying the message, hint lines and exit code.
 * Facts about IOCs are derived by the model's rules ({@code io.iocagent.model.IocFacts}), so the
 * command line and the agent agree. Depends on {@code conf}, {@code crash}, {@code model},
 * {@code netlink}, {@code posix}, {@code proc}, {@code procserv} and {@code systemd}.
 */
package io.iocagent.ops;
