package io.iocagent.proc;

import io.iocagent.netlink.UnixSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is on an IOC's console: the sockets of one console socket path, the server processes
 * holding them (procServ, and the IOC it forked, which inherits them), and the client processes
 * connected to it. The answer of {@code inspect}, computed from one {@code unix_diag} dump and
 * {@code /proc} instead of {@code lsof -U} and {@code ss -x -p}.
 *
 * <p>The join relies on two kernel facts ({@code net/unix/af_unix.c}, {@code net/unix/diag.c}):
 * <ol>
 *   <li>A socket procServ accepted carries the listener's name (and socket file): the kernel copies
 *       the listener's address into it in {@code unix_stream_connect}. So the accepted sockets are
 *       the {@code ESTABLISHED} sockets bound to the console path.</li>
 *   <li>Each accepted socket reports its peer ({@code UNIX_DIAG_PEER}), the client's own, unnamed
 *       socket. The processes holding those peer inodes in {@code /proc/PID/fd} are the clients.</li>
 * </ol>
 * Connections still waiting in the accept queue have no accepted socket yet; they show only in the
 * listener's {@link UnixSocket#pendingConnections()} and {@link UnixSocket#pendingPeers()}.
 *
 * @param socketPath           the console socket path traced
 * @param listeners            the listening sockets bound to it; normally one. The one bound to the
 *                             file the path names now comes first, then any stale listener whose
 *                             file was unlinked and replaced (a procServ that lost its socket file)
 * @param accepted             the server side of every accepted connection, in dump order
 * @param servers              the processes holding a listener or an accepted socket, by PID
 * @param clients              the client processes, by PID then socket inode; a process holding
 *                             several connections appears once per connection. Server processes
 *                             are never listed as clients, even when they connect to themselves
 * @param uninspectedProcesses processes whose descriptors could not be read; when positive,
 *                             servers and clients may be missing (run as root or with
 *                             {@code CAP_SYS_PTRACE})
 */
public record ConsoleClients(Path socketPath, List<UnixSocket> listeners, List<UnixSocket> accepted,
                             List<ProcessInfo> servers, List<ConsoleClient> clients, int uninspectedProcesses) {

    public ConsoleClients {
        Objects.requireNonNull(socketPath, "socketPath");
        listeners = List.copyOf(listeners);
        accepted = List.copyOf(accepted);
        servers = List.copyOf(servers);
        clients = List.copyOf(clients);
    }

    /**
     * Traces {@code socketPath} in {@code dump}, scanning {@code /proc} for the holders of just
     * the sockets involved. Relies on accepted server-side sockets carrying the listener's path
     * ({@code UNIX_DIAG_NAME}) and socket file ({@code UNIX_DIAG_VFS}), copied from the listener
     * by {@code unix_stream_connect}: that is the only link from a console path to its
     * connections, since the client ends are unnamed.
     *
     * @param socketPath the console socket, as the path procServ was given: a socket matches when
     *                   its {@link UnixSocket#path()} equals this text, or when it is bound to the
     *                   very file this path names now (so a symlinked run directory still matches)
     * @param dump       a fresh {@link io.iocagent.netlink.UnixSocketDiag#dump()}
     * @throws IOException when {@code /proc} cannot be read at all
     */
    public static ConsoleClients trace(Path socketPath, List<UnixSocket> dump, ProcessTable processes)
            throws IOException {
        Sockets sockets = Sockets.of(socketPath, dump);
        return sockets.resolve(processes.socketHolders(sockets.inodes()), processes);
    }

    /**
     * As {@link #trace(Path, List, ProcessTable)}, reusing one scan of {@code /proc} (for example
     * {@link ProcessTable#socketHolders()} shared by every IOC of a {@code list -vv}).
     */
    public static ConsoleClients trace(Path socketPath, List<UnixSocket> dump, SocketHolders holders,
                                       ProcessTable processes) throws IOException {
        return Sockets.of(socketPath, dump).resolve(holders, processes);
    }

    /** The current listener (first of {@link #listeners()}), whose queue figures {@code list -vv} shows. */
    public Optional<UnixSocket> listener() {
        return listeners.isEmpty() ? Optional.empty() : Optional.of(listeners.get(0));
    }

    /** The PIDs of {@link #servers()}, ascending. */
    public List<Integer> serverPids() {
        return servers.stream().map(ProcessInfo::pid).toList();
    }

    /** The sockets of one path in one dump, before any process is looked at. */
    private record Sockets(Path socketPath, List<UnixSocket> listeners, List<UnixSocket> accepted) {

        static Sockets of(Path socketPath, List<UnixSocket> dump) {
            String name = socketPath.toString();
            Optional<UnixSocket.SocketFile> fileNow = fileOf(socketPath);
            List<UnixSocket> listeners = new ArrayList<>(1);
            List<UnixSocket> accepted = new ArrayList<>();
            for (UnixSocket s : dump) {
                // Accepted sockets carry the listener's name and file (see trace): both match here.
                boolean bound = s.path().isPresent() && s.path().get().equals(name)
                        || fileNow.isPresent() && s.file().equals(fileNow);
                if (!bound) {
                    continue;
                }
                if (s.isListening()) {
                    listeners.add(s);
                } else if (s.state() == UnixSocket.State.ESTABLISHED) {
                    accepted.add(s);
                }
            }
            if (listeners.size() > 1 && fileNow.isPresent()) {
                listeners.sort(Comparator.comparing(s -> !s.file().equals(fileNow)));
            }
            return new Sockets(socketPath, listeners, accepted);
        }

        /** Every inode whose holders matter: listeners, accepted sockets and their peers. */
        Set<Long> inodes() {
            Set<Long> inodes = new HashSet<>();
            listeners.forEach(s -> inodes.add(s.inode()));
            for (UnixSocket s : accepted) {
                inodes.add(s.inode());
                if (s.peerInode() != 0) {
                    inodes.add(s.peerInode());
                }
            }
            return inodes;
        }

        ConsoleClients resolve(SocketHolders holders, ProcessTable processes) throws IOException {
            Set<Integer> serverPids = new TreeSet<>();
            listeners.forEach(s -> serverPids.addAll(holders.pids(s.inode())));
            accepted.forEach(s -> serverPids.addAll(holders.pids(s.inode())));
            List<ProcessInfo> servers = new ArrayList<>(serverPids.size());
            for (int pid : serverPids) {
                processes.process(pid).ifPresent(servers::add);
            }

            List<ConsoleClient> clients = new ArrayList<>();
            Map<Integer, Optional<ProcessInfo>> seen = new HashMap<>();
            for (UnixSocket s : accepted) {
                long peer = s.peerInode();
                if (peer == 0) {
                    continue;
                }
                for (int pid : holders.pids(peer)) {
                    if (serverPids.contains(pid)) {
                        continue;
                    }
                    Optional<ProcessInfo> info = seen.get(pid);
                    if (info == null) {
                        info = processes.process(pid);
                        seen.put(pid, info);
                    }
                    info.ifPresent(p -> clients.add(new ConsoleClient(p.pid(), p.user(), p.commandLine(),
                            Optional.of(p.startTime()), peer)));
                }
            }
            clients.sort(Comparator.comparingInt(ConsoleClient::pid).thenComparingLong(ConsoleClient::socketInode));
            return new ConsoleClients(socketPath, listeners, accepted, servers, clients, holders.uninspected());
        }

        /** The socket file the path names now; empty when it cannot be stat'ed. */
        private static Optional<UnixSocket.SocketFile> fileOf(Path path) {
            try {
                Map<String, Object> attrs = Files.readAttributes(path, "unix:ino,dev");
                return Optional.of(new UnixSocket.SocketFile((Long) attrs.get("ino"), (Long) attrs.get("dev")));
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return Optional.empty(); // gone or unreachable: match by name only
            }
        }
    }
}
