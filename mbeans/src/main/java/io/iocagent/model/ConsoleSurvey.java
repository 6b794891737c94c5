package io.iocagent.model;

import io.iocagent.netlink.UnixSocket;
import io.iocagent.proc.ConsoleClient;
import io.iocagent.proc.ConsoleClients;
import io.iocagent.proc.ProcessTable;
import io.iocagent.proc.SocketHolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every IOC's console socket from one {@code unix_diag} dump and at most one scan of {@code /proc}:
 * the dump is indexed once by bound path and socket file, and {@code /proc} is scanned only when
 * some console has accepted connections (only then are there clients to name). The per-path
 * matching is {@link ConsoleClients}'s: a socket belongs to a console when it is bound to its path
 * or to the file that path names now. A console listens only when a client could reach it: its
 * listener's socket file is the one the path names now ({@link #reachable}). When more than one
 * listener is bound to a console's path, or one cannot be reached, the scan also names the holders
 * of each, so processes of the IOC outside its unit can be told apart ({@link IocFacts#orphanPids}).
 */
public final class ConsoleSurvey {

    /**
     * One console socket.
     *
     * @param listening a listener is bound to it
     * @param inode     the listener's socket inode, -1 when not listening
     * @param recvQueue the listener's pending connections, -1 when not listening
     * @param sendQueue the listener's backlog limit, -1 when not listening
     * @param clients   processes connected to it
     * @param listenerHolders the holders (PIDs, ascending) of each listener bound to the path, one
     *                  list per listener, reachable or not — read only when there is cause: more than
     *                  one listener is bound to the path, or one no client can reach (a second
     *                  procServ took the path over, or the file was deleted); else empty. See
     *                  {@link IocFacts#orphanPids}.
     */
    public record Console(boolean listening, long inode, int recvQueue, int sendQueue, List<ConsoleClient> clients,
                          List<List<Integer>> listenerHolders) {

        public static final Console ABSENT = new Console(false, -1, -1, -1, List.of());

        public Console {
            clients = List.copyOf(clients);
            listenerHolders = listenerHolders.stream().map(List::copyOf).toList();
        }

        /** A console with no listener holders read (the usual case: one reachable listener). */
        public Console(boolean listening, long inode, int recvQueue, int sendQueue, List<ConsoleClient> clients) {
            this(listening, inode, recvQueue, sendQueue, clients, List.of());
        }

        Console withListenerHolders(List<List<Integer>> holders) {
            return new Console(listening, inode, recvQueue, sendQueue, clients, holders);
        }
    }

    private ConsoleSurvey() {
    }

    /**
     * The console of each of {@code socketPaths}.
     *
     * @param dump a fresh {@link io.iocagent.netlink.UnixSocketDiag#dump()}
     * @return one entry per path; {@link Console#ABSENT} where nothing listens
     * @throws IOException when {@code /proc} had to be scanned and could not be
     */
    public static Map<Path, Console> take(Collection<Path> socketPaths, List<UnixSocket> dump, ProcessTable processes)
            throws IOException {
        Map<String, List<UnixSocket>> byPath = new HashMap<>();
        Map<UnixSocket.SocketFile, List<UnixSocket>> byFile = new HashMap<>();
        for (UnixSocket s : dump) {
            if (s.isListening() || s.state() == UnixSocket.State.ESTABLISHED) {
                s.path().ifPresent(p -> byPath.computeIfAbsent(p, k -> new ArrayList<>(2)).add(s));
                s.file().ifPresent(f -> byFile.computeIfAbsent(f, k -> new ArrayList<>(2)).add(s));
            }
        }
        Map<Path, List<UnixSocket>> sockets = new LinkedHashMap<>();
        Map<Path, List<UnixSocket>> crowded = new HashMap<>();
        Set<Long> wanted = new HashSet<>();
        for (Path path : socketPaths) {
            Optional<UnixSocket.SocketFile> file = fileOf(path);
            List<UnixSocket> bound = byPath.getOrDefault(path.toString(), List.of()).stream()
                    .filter(UnixSocket::isListening).toList();
            if (bound.size() > 1 || bound.stream().anyMatch(s -> !reachable(s, file))) {
                crowded.put(path, bound);
                bound.forEach(s -> wanted.add(s.inode()));
            }
            List<UnixSocket> own = new ArrayList<>(byPath.getOrDefault(path.toString(), List.of()).stream()
                    .filter(s -> reachable(s, file)).toList());
            file.map(byFile::get).ifPresent(more -> more.stream()
                    .filter(s -> own.stream().noneMatch(o -> o.inode() == s.inode()))
                    .forEach(own::add));
            sockets.put(path, own);
            for (UnixSocket s : own) {
                if (!s.isListening()) {
                    wanted.add(s.inode());
                    if (s.peerInode() != 0) {
                        wanted.add(s.peerInode());
                    }
                }
            }
        }
        SocketHolders holders = wanted.isEmpty()
                ? new SocketHolders(Map.of(), 0, 0)
                : processes.socketHolders(wanted);

        Map<Path, Console> consoles = new HashMap<>();
        for (Map.Entry<Path, List<UnixSocket>> e : sockets.entrySet()) {
            List<UnixSocket> own = e.getValue();
            Console console;
            if (own.stream().noneMatch(UnixSocket::isListening)) {
                console = Console.ABSENT;
            } else {
                ConsoleClients traced = ConsoleClients.trace(e.getKey(), own, holders, processes);
                UnixSocket listener = traced.listener().orElseThrow();
                console = new Console(true, listener.inode(), listener.pendingConnections(),
                        listener.backlog(), traced.clients());
            }
            List<UnixSocket> bound = crowded.get(e.getKey());
            if (bound != null) {
                console = console.withListenerHolders(bound.stream().map(s -> holders.pids(s.inode())).toList());
            }
            consoles.put(e.getKey(), console);
        }
        return consoles;
    }

    /**
     * Whether a client connecting to the path would reach {@code socket}: a listener bound to a
     * path whose file was deleted or replaced since (procServ's file removed by hand, or taken over by
     * a second procServ) still shows the path in {@code unix_diag} but can no longer be reached, so it
     * does not count as the console's listener. Connected sockets, and sockets without a file
     * identity (abstract ones), are kept.
     */
    static boolean reachable(UnixSocket socket, Optional<UnixSocket.SocketFile> fileNow) {
        return !socket.isListening() || socket.file().isEmpty() || socket.file().equals(fileNow);
    }

    private static Optional<UnixSocket.SocketFile> fileOf(Path path) {
        try {
            Map<String, Object> attrs = Files.readAttributes(path, "unix:ino,dev");
            return Optional.of(new UnixSocket.SocketFile((Long) attrs.get("ino"), (Long) attrs.get("dev")));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }
}
