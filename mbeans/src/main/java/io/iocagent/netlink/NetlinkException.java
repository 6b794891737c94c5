package io.iocagent.netlink;

import java.io.IOException;

/**
 * A {@code unix_diag} dump failed: a system call on the netlink socket failed, the kernel answered
 * with an error ({@code NLMSG_ERROR}, or {@code NLMSG_DONE} carrying a negative errno), or the
 * answer was malformed. The message says which, with the errno name where there is one, and what
 * to check next.
 */
public final class NetlinkException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    NetlinkException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    NetlinkException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The positive errno the kernel or libc reported; 0 when the answer was malformed instead. */
    public int errno() {
        return errno;
    }
}
