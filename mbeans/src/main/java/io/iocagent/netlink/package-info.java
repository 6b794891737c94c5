/**
 * The kernel's view of UNIX domain sockets through {@code NETLINK_SOCK_DIAG}/{@code unix_diag}:
 * {@link io.iocagent.netlink.UnixSocketDiag} takes one dump of every UNIX socket in the caller's
 * network namespace and returns {@link io.iocagent.netlink.UnixSocket} records (what {@code ss -x}
 * shows, without forking it). Thin JNA bindings to libc; depends on nothing else in the project.
 */
package io.iocagent.netlink;
