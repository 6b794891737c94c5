package io.iocagent.proc;

import java.util.List;
import java.util.Map;

/**
 * Which processes hold which sockets, from one scan of the {@code socket:[INODE]} links under
 * {@code /proc/PID/fd}. Only processes whose descriptors the caller may read are covered: that is
 * its own user's processes, or all of them for root or a holder of {@code CAP_SYS_PTRACE}
 * ({@code ptrace_may_access}, read mode).
 *
 * @param pidsByInode  socket inode to the PIDs holding a descriptor for it, ascending, each once;
 *                     a socket shared by a parent and the children that inherited it has several
 * @param inspected    processes whose descriptors were read
 * @param uninspected  processes whose descriptors could not be read, in practice for lack of
 *                     permission (kernel threads, which hold no descriptors, are not counted);
 *                     when positive the map may miss holders, and callers should say so, e.g.
 *                     "N processes could not be inspected (needs root or CAP_SYS_PTRACE)"
 */
public record SocketHolders(Map<Long, List<Integer>> pidsByInode, int inspected, int uninspected) {

    public SocketHolders {
        pidsByInode = Map.copyOf(pidsByInode);
    }

    /** The PIDs holding socket {@code inode}, ascending; empty when none was seen. */
    public List<Integer> pids(long inode) {
        return pidsByInode.getOrDefault(inode, List.of());
    }
}
