package io.iocagent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iocagent.ca.CaMessages;
import io.iocagent.conf.IocName;
import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Responsiveness;
import io.iocagent.model.Snapshot;
import io.iocagent.model.SnapshotSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Opt-in bench (its name matches no test pattern): what the hang probe costs the agent per IOC per
 * probe interval, on the {@code ioc-probe} thread's own CPU clock ({@code ThreadMXBean}: utime +
 * stime of that thread), with the default settings. {@code -Diocagent.probe.iocs=200} CA peers
 * answer on loopback — one selector thread for all of them, in this JVM but not on the probe's
 * thread: a CA {@code VERSION} at accept, each {@code ECHO} returned, and for heartbeat runs a
 * channel and a subscription whose value changes every second, as a devIocStats heartbeat does.
 * Runs alternate echo only / echo and heartbeat, {@code -Diocagent.probe.repeats=3} of each,
 * {@code -Diocagent.probe.seconds=20} each after one warm-up window, and print each and the
 * medians. The probe's work per IOC (a 16-byte write, a read, a selector wake; a 56-byte update a
 * second with a heartbeat) is the same against softIocs.
 */
class HangProbeBench {

    @Test
    void cpuOfTheHangProbePerIocPerInterval() throws Exception {
        int n = Integer.getInteger("iocagent.probe.iocs", 200);
        int repeats = Integer.getInteger("iocagent.probe.repeats", 3);
        Duration window = Duration.ofSeconds(Integer.getInteger("iocagent.probe.seconds", 20));
        ProbeSettings settings = ProbeSettings.DEFAULTS;
        try (Peers peers = new Peers(n)) {
            List<IocSnapshot> iocs = new ArrayList<>();
            Map<String, InetSocketAddress> at = new HashMap<>();
            Map<IocName, String> beats = new HashMap<>();
            for (int i = 0; i < n; i++) {
                String name = String.format("bench%04d", i);
                iocs.add(HangProbeTest.ioc(name, Readiness.READY, 10_000 + i));
                at.put(name, peers.address(i));
                beats.put(new IocName(name), name + ":HEARTBEAT");
            }
            Snapshot snapshot = HangProbeTest.snapshot(iocs.toArray(IocSnapshot[]::new));
            SnapshotSource source = HangProbeTest.source(() -> snapshot);
            CaEndpoint endpoints = ioc -> java.util.Optional.ofNullable(at.get(ioc.name()));
            Map<Boolean, List<Double>> perIocRound = new TreeMap<>();
            System.out.printf("hang probe bench: %d IOCs, interval %d ms, timeout %d ms, window %d s, load average %s%n",
                    n, settings.interval().toMillis(), settings.timeout().toMillis(), window.toSeconds(), loadAverage());
            for (int r = 0; r < repeats * 2; r++) {
                boolean heartbeat = r % 2 == 1;
                Heartbeats hb = heartbeat ? new Heartbeats(beats, Heartbeats.DEFAULT_STALE) : Heartbeats.NONE;
                Map<IocName, Responsiveness> last = new ConcurrentHashMap<>();
                try (HangProbe probe = new HangProbe(source, endpoints, settings, hb, last::putAll)) {
                    probe.start();
                    Thread.sleep(settings.interval().multipliedBy(3).toMillis()); // warm-up: every circuit open
                    long thread = probeThread();
                    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                    long cpu0 = mx.getThreadCpuTime(thread);
                    long t0 = System.nanoTime();
                    Thread.sleep(window.toMillis());
                    long cpu = mx.getThreadCpuTime(thread) - cpu0;
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double rounds = seconds / (settings.interval().toMillis() / 1000.0);
                    long responsive = last.values().stream().filter(v -> v.state() == Responsiveness.State.RESPONSIVE).count();
                    assertEquals(n, responsive, "every peer answers: " + last.size() + " findings");
                    double perIoc = cpu / 1e3 / rounds / n;
                    perIocRound.computeIfAbsent(heartbeat, k -> new ArrayList<>()).add(perIoc);
                    System.out.printf("  %-20s ioc-probe CPU %7.1f ms in %5.1f s = %5.2f %% of one core; %5.1f us per IOC per round%n",
                            heartbeat ? "echo + heartbeat" : "echo only", cpu / 1e6, seconds, 100.0 * cpu / 1e9 / seconds, perIoc);
                }
            }
            perIocRound.forEach((heartbeat, v) -> System.out.printf("median %-20s %5.1f us per IOC per round (%d runs)%n",
                    heartbeat ? "echo + heartbeat:" : "echo only:", median(v), v.size()));
            System.out.printf("load average after: %s; peers answered %d echoes, sent %d heartbeat updates%n",
                    loadAverage(), peers.echoes, peers.updates);
        }
    }

    private static long probeThread() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("ioc-probe")) {
                return t.getId();
            }
        }
        throw new IllegalStateException("no ioc-probe thread");
    }

    private static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * N CA peers on loopback served by one selector thread: VERSION at accept, ECHO back, and a
     * heartbeat channel (any name) whose subscription gets a new value every second.
     */
    private static final class Peers implements AutoCloseable {

        private final Selector selector = Selector.open();
        private final List<ServerSocketChannel> servers = new ArrayList<>();
        private final Map<SocketChannel, Integer> subscriptions = new HashMap<>(); // subscription id by circuit
        private final Thread thread;
        private volatile boolean closed;
        volatile long echoes;
        volatile long updates;

        Peers(int n) throws IOException {
            for (int i = 0; i < n; i++) {
                ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
                s.configureBlocking(false);
                s.register(selector, SelectionKey.OP_ACCEPT);
                servers.add(s);
            }
            thread = new Thread(this::run, "ca-peers");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address(int i) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), servers.get(i).socket().getLocalPort());
        }

        private void run() {
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            long nextBeat = System.nanoTime();
            long counter = 0;
            try {
                while (!closed) {
                    selector.select(100);
                    for (SelectionKey k : selector.selectedKeys()) {
                        if (k.isAcceptable()) {
                            SocketChannel c = ((ServerSocketChannel) k.channel()).accept();
                            if (c != null) {
                                c.configureBlocking(false);
                                c.register(selector, SelectionKey.OP_READ, new Stream());
                                write(c, header(CaMessages.VERSION, 0, 0, 13, 0, 0));
                            }
                        } else if (k.isReadable()) {
                            SocketChannel c = (SocketChannel) k.channel();
                            in.clear();
                            if (c.read(in) < 0) {
                                subscriptions.remove(c);
                                k.cancel();
                                c.close();
                                continue;
                            }
                            ((Stream) k.attachment()).feed(in.flip(), c, counter);
                        }
                    }
                    selector.selectedKeys().clear();
                    if (System.nanoTime() - nextBeat >= 0) {
                        nextBeat += 1_000_000_000L;
                        counter++;
                        for (Map.Entry<SocketChannel, Integer> s : subscriptions.entrySet()) {
                            write(s.getKey(), value(s.getValue(), counter));
                            updates++;
                        }
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }

        /** A peer's side of one circuit: whole 16-byte headers and their payloads. */
        private final class Stream {
            private final ByteBuffer pending = ByteBuffer.allocate(4096);

            void feed(ByteBuffer in, SocketChannel c, long counter) throws IOException {
                pending.put(in).flip();
                while (pending.remaining() >= 16) {
                    int command = pending.getShort(pending.position()) & 0xFFFF;
                    int payload = pending.getShort(pending.position() + 2) & 0xFFFF;
                    if (pending.remaining() < 16 + payload) {
                        break;
                    }
                    int p1 = pending.getInt(pending.position() + 8);
                    int p2 = pending.getInt(pending.position() + 12);
                    pending.position(pending.position() + 16 + payload);
                    if (command == CaMessages.ECHO) {
                        write(c, header(CaMessages.ECHO, 0, 0, 0, 0, 0));
                        echoes++;
                    } else if (command == CaMessages.CREATE_CHAN) {
                        write(c, header(CaMessages.CREATE_CHAN, 0, 5, 1, p1, 1));
                    } else if (command == CaMessages.EVENT_ADD) {
                        subscriptions.put(c, p2);
                        write(c, value(p2, counter));
                    }
                }
                pending.compact();
            }
        }

        private static ByteBuffer value(int subscription, long counter) {
            ByteBuffer b = ByteBuffer.allocate(16 + 40);
            b.put(header(CaMessages.EVENT_ADD, 40, CaMessages.DBR_STRING, 1, CaMessages.ECA_NORMAL, subscription));
            byte[] text = Long.toString(counter).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            b.put(text).put(new byte[40 - text.length]);
            return b.flip();
        }

        private static ByteBuffer header(int command, int payload, int type, int count, int p1, int p2) {
            return ByteBuffer.allocate(16).putShort((short) command).putShort((short) payload).putShort((short) type)
                    .putShort((short) count).putInt(p1).putInt(p2).flip();
        }

        private static void write(SocketChannel c, ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (c.write(b) == 0) {
                    return; // a full send buffer: the bench's peers drop what does not fit
                }
            }
        }

        @Override
        public void close() throws IOException {
            closed = true;
            selector.wakeup();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (ServerSocketChannel s : servers) {
                s.close();
            }
            selector.close();
        }
    }
}
