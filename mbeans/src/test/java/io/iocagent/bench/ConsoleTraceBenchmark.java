package io.iocagent.bench;

import io.iocagent.netlink.ConsoleSocketFixture;
import io.iocagent.netlink.UnixSocket;
import io.iocagent.netlink.UnixSocketDiag;
import io.iocagent.proc.ConsoleClients;
import io.iocagent.proc.ProcessTable;
import io.iocagent.proc.SocketHolders;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code inspect} and {@code list -vv} cost with a crowded host: 500 unrelated listening UNIX
 * sockets held by this JVM (so the {@code /proc} scan also reads 500 extra descriptor links) plus
 * one console socket with three {@code socat} clients. Target: a whole console trace well under
 * 50 ms. Run with the {@code bench} profile (docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConsoleTraceBenchmark {

    private static final int UNRELATED = 500;
    private static final int CLIENTS = 3;

    private Path dir;
    private final List<ServerSocketChannel> unrelated = new ArrayList<>();
    private ConsoleSocketFixture console;
    private UnixSocketDiag diag;
    private ProcessTable processes;
    private Set<Long> consoleInodes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("iocagent-bench-");
        for (int i = 0; i < UNRELATED; i++) {
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(dir.resolve("unrelated-" + i)), 5);
            unrelated.add(s);
        }
        console = ConsoleSocketFixture.listen(dir.resolve("control"), 5);
        for (int i = 0; i < CLIENTS; i++) {
            console.connectClient();
            console.accept();
        }
        diag = new UnixSocketDiag();
        processes = new ProcessTable();
        ConsoleClients ready = ConsoleSocketFixture.await(Duration.ofSeconds(10), CLIENTS + " console clients",
                () -> ConsoleClients.trace(console.path(), diag.dump(), processes),
                c -> c.clients().size() == CLIENTS);
        consoleInodes = new HashSet<>();
        ready.listeners().forEach(s -> consoleInodes.add(s.inode()));
        ready.accepted().forEach(s -> {
            consoleInodes.add(s.inode());
            consoleInodes.add(s.peerInode());
        });
        long sockets = diag.dump().size();
        if (sockets < UNRELATED) {
            throw new IllegalStateException("only " + sockets + " sockets in the dump");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        console.close();
        for (ServerSocketChannel s : unrelated) {
            s.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** One {@code unix_diag} dump of every UNIX socket (500+ records). */
    @Benchmark
    public List<UnixSocket> netlinkDump() throws IOException {
        return diag.dump();
    }

    /** One scan of every {@code /proc/PID/fd} link into a map of every socket's holders. */
    @Benchmark
    public SocketHolders procScanAllSockets() throws IOException {
        return processes.socketHolders();
    }

    /** The same scan, keeping only the console's listener, accepted and client sockets. */
    @Benchmark
    public SocketHolders procScanConsoleSockets() throws IOException {
        return processes.socketHolders(consoleInodes);
    }

    /** What {@code inspect NAME} does: dump, scan for the console's sockets, read the processes. */
    @Benchmark
    public ConsoleClients consoleTrace() throws IOException {
        return ConsoleClients.trace(console.path(), diag.dump(), processes);
    }
}
