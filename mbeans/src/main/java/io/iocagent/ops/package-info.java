/**
 * Operations on IOCs — generate, install, remove, start, stop, restart, enable, disable, status,
 * view, list, inspect — implemented once and called by every surface (the command line and the
 * MBeans). They talk to the user through a {@link io.iocagent.ops.Terminal} and fail with an
 * {@link io.iocagent.ops.OperationException} carrying the message, hint lines and exit code.
 * Facts about IOCs are derived by the model's rules ({@code io.iocagent.model.IocFacts}), so the
 * command line and the agent agree. This is the layer that opens sources for a caller
 * ({@link io.iocagent.ops.SystemdConnector}), so surfaces never do. Depends on {@code conf},
 * {@code crash}, {@code model}, {@code netlink}, {@code posix}, {@code proc}, {@code procserv} and
 * {@code systemd}.
 */
package io.iocagent.ops;
