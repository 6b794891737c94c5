package io.iocagent.probe;

import io.iocagent.ca.CaMessages;
import io.iocagent.systemd.ActiveState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Responsiveness;
import io.iocagent.model.Snapshot;
import io.iocagent.model.SnapshotSource;
import io.iocagent.testbed.TestBed;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The probe against peers on loopback that behave as a CA server, a hung one, a closed port and a
 * hostile one: what it concludes, how many connections it makes, and that one bad peer holds up no
 * other. (The real thing, a stopped softIoc, is {@code HangProbeIT}.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HangProbeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Generous for a loaded machine: a probe fails only when nothing answers for 400 ms. */
    private static final ProbeSettings FAST = new ProbeSettings(true, Duration.ofMillis(500), Duration.ofMillis(400), 3, 16);

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Map<IocName, Responsiveness>> rounds = Collections.synchronizedList(new ArrayList<>());
    private volatile Snapshot snapshot = snapshot();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void anAnsweringServerIsResponsiveWithARoundTripTimeOverOneKeptConnection() throws Exception {
        Peer server = peer(Peer.Behaviour.ANSWER);
        snapshot = snapshot(ioc("a", Readiness.READY, 100));
        probe(Map.of("a", server.address()));
        awaitFindings("a", 5, Responsiveness.State.RESPONSIVE);
        Responsiveness last = last("a");
        assertTrue(last.probeSeconds() >= 0 && last.probeSeconds() < FAST.timeout().toMillis() / 1000.0,
                "round trip " + last.probeSeconds());
        assertEquals(100, last.childPid());
        assertEquals(1, server.accepted(), "one connection reused for every probe");
    }

    @Test
    void aServerThatAcceptsButNeverAnswersIsUnresponsiveAtTheThirdRoundAndGetsNoSecondConnection() throws Exception {
        Peer server = peer(Peer.Behaviour.SILENT);
        snapshot = snapshot(ioc("a", Readiness.READY, 100));
        probe(Map.of("a", server.address()));
        awaitFindings("a", 6, null);
        List<Responsiveness.State> states = states("a");
        assertEquals(List.of(Responsiveness.State.UNPROBED, Responsiveness.State.UNPROBED,
                Responsiveness.State.UNRESPONSIVE), states.subList(0, 3), "findings round by round: " + states);
        assertTrue(states.subList(3, states.size()).stream().allMatch(s -> s == Responsiveness.State.UNRESPONSIVE),
                "stays unresponsive: " + states);
        assertEquals(1, server.accepted(), "a hung peer is not flooded with new connections");
        assertTrue(Double.isNaN(last("a").probeSeconds()));
    }

    @Test
    void aClosedPortIsUnresponsiveAfterThreeRounds() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        snapshot = snapshot(ioc("a", Readiness.READY, 100));
        probe(Map.of("a", new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
        awaitFindings("a", 3, Responsiveness.State.UNRESPONSIVE);
        assertEquals(Responsiveness.State.UNRESPONSIVE, states("a").get(2), "findings: " + states("a"));
    }

    @Test
    void aPeerFloodingNonsenseNeverCountsAsAnAnswerAndHoldsUpNoOtherIoc() throws Exception {
        Peer flood = peer(Peer.Behaviour.FLOOD);
        Peer good = peer(Peer.Behaviour.ANSWER);
        snapshot = snapshot(ioc("bad", Readiness.READY, 100), ioc("good", Readiness.READY, 200));
        probe(Map.of("bad", flood.address(), "good", good.address()));
        awaitFindings("bad", 5, null);
        assertTrue(states("bad").stream().noneMatch(s -> s == Responsiveness.State.RESPONSIVE),
                "nonsense is no echo: " + states("bad"));
        assertEquals(Responsiveness.State.UNRESPONSIVE, last("bad").state());
        assertEquals(Responsiveness.State.RESPONSIVE, last("good").state(), "the good IOC beside it: " + states("good"));
        assertTrue(flood.sent() > 1_000_000, "the flood really flowed: " + flood.sent() + " bytes");
    }

    @Test
    void aHeartbeatThatStopsChangingMakesAnAnsweringServerUnresponsiveAndAnUnservedOneIsIgnored() throws Exception {
        Peer beating = peer(Peer.Behaviour.ANSWER);
        Peer frozen = peer(Peer.Behaviour.FROZEN_BEAT);
        Peer unserved = peer(Peer.Behaviour.NO_SUCH_PV);
        snapshot = snapshot(ioc("beating", Readiness.READY, 100), ioc("frozen", Readiness.READY, 200),
                ioc("unserved", Readiness.READY, 300));
        Heartbeats beats = new Heartbeats(Map.of(new IocName("beating"), "beating:HB", new IocName("frozen"), "frozen:HB",
                new IocName("unserved"), "unserved:HB"), Duration.ofSeconds(1));
        HangProbe probe = new HangProbe(source(() -> snapshot), ioc -> Optional.ofNullable(Map.of("beating",
                beating.address(), "frozen", frozen.address(), "unserved", unserved.address()).get(ioc.name())), FAST,
                beats, rounds::add);
        open.add(probe);
        probe.start();
        // stale 1 s, then 3 failed 500 ms rounds
        awaitFindings("frozen", 3, Responsiveness.State.UNRESPONSIVE);
        assertEquals(Responsiveness.State.RESPONSIVE, states("frozen").get(0), "fresh at first: " + states("frozen"));
        int seen = findings("beating").size();
        TestBed.await(WAIT, "more rounds", () -> findings("beating").size() >= seen + 3);
        assertTrue(states("beating").stream().allMatch(st -> st == Responsiveness.State.RESPONSIVE),
                "a heartbeat that changes every round: " + states("beating"));
        assertTrue(states("unserved").stream().allMatch(st -> st == Responsiveness.State.RESPONSIVE),
                "a heartbeat PV the server does not serve is ignored: " + states("unserved"));
        assertEquals(1, frozen.accepted(), "the frozen heartbeat's circuit is kept: " + frozen.accepted());
    }

    @Test
    void onlyReadyIocsWithAnEndpointAreProbed() throws Exception {
        Peer server = peer(Peer.Behaviour.ANSWER);
        snapshot = snapshot(ioc("starting", Readiness.STARTING, 100), ioc("failed", Readiness.FAILED, 101),
                ioc("nochild", Readiness.READY, -1), ioc("noca", Readiness.READY, 102), ioc("ready", Readiness.READY, 103));
        probe(Map.of("starting", server.address(), "failed", server.address(), "nochild", server.address(),
                "ready", server.address()));
        awaitFindings("ready", 3, Responsiveness.State.RESPONSIVE);
        assertEquals(1, server.accepted(), "only 'ready' was connected to");
        synchronized (rounds) {
            for (Map<IocName, Responsiveness> round : rounds) {
                assertEquals(java.util.Set.of(new IocName("ready")), round.keySet(), "findings: " + round);
            }
        }
    }

    @Test
    void aNewChildStartsOverOnANewConnectionAndAnIocThatLeftIsReportedUnprobed() throws Exception {
        Peer server = peer(Peer.Behaviour.SILENT);
        snapshot = snapshot(ioc("a", Readiness.READY, 100));
        probe(Map.of("a", server.address()));
        awaitFindings("a", 3, Responsiveness.State.UNRESPONSIVE);
        snapshot = snapshot(ioc("a", Readiness.HUNG, 100)); // HUNG is probed on
        int seen = states("a").size();
        TestBed.await(WAIT, "another round", () -> states("a").size() > seen);
        assertEquals(Responsiveness.State.UNRESPONSIVE, last("a").state());
        snapshot = snapshot(ioc("a", Readiness.READY, 300));
        TestBed.await(WAIT, "a finding about child 300", () -> last("a").childPid() == 300);
        TestBed.await(WAIT, "a second connection for the new child", () -> server.accepted() == 2);
        int before = states("a").size();
        snapshot = snapshot(ioc("a", Readiness.STOPPED, -1));
        TestBed.await(WAIT, "'a' reported unprobed once it stopped",
                () -> states("a").size() > before && last("a").equals(Responsiveness.UNPROBED));
    }

    // ---- fixtures ----------------------------------------------------------------------------

    private void probe(Map<String, InetSocketAddress> endpoints) {
        HangProbe probe = new HangProbe(source(() -> snapshot), ioc -> Optional.ofNullable(endpoints.get(ioc.name())), FAST, rounds::add);
        open.add(probe);
        probe.start();
    }

    private Peer peer(Peer.Behaviour behaviour) throws IOException {
        Peer p = new Peer(behaviour);
        open.add(p);
        return p;
    }

    private List<Responsiveness.State> states(String name) {
        return findings(name).stream().map(Responsiveness::state).toList();
    }

    private List<Responsiveness> findings(String name) {
        synchronized (rounds) {
            return rounds.stream().map(r -> r.get(new IocName(name))).filter(r -> r != null).toList();
        }
    }

    private Responsiveness last(String name) {
        List<Responsiveness> f = findings(name);
        return f.isEmpty() ? Responsiveness.UNPROBED : f.get(f.size() - 1);
    }

    /** Waits for {@code count} findings about {@code name}, the last in {@code state} (any when null). */
    private void awaitFindings(String name, int count, Responsiveness.State state) {
        TestBed.await(WAIT, count + " findings about " + name + (state == null ? "" : ", the last " + state),
                () -> findings(name).size() >= count && (state == null || last(name).state() == state));
    }

    /** A source whose {@code current()} is what {@code current} says now; listeners are not supported. */
    static SnapshotSource source(java.util.function.Supplier<Snapshot> current) {
        return new SnapshotSource() {
            @Override
            public Snapshot current() {
                return current.get();
            }

            @Override
            public void addListener(BiConsumer<Snapshot, Snapshot> listener) {
                throw new UnsupportedOperationException();
            }
        };
    }

    static Snapshot snapshot(IocSnapshot... iocs) {
        TreeMap<String, IocSnapshot> map = new TreeMap<>();
        for (IocSnapshot i : iocs) {
            map.put(i.name(), i);
        }
        return new Snapshot(Instant.now(), "local", "/tmp/conf.d", true, map, Duration.ZERO, 0);
    }

    /** An IOC of {@code readiness} whose child is {@code childPid} (not running when not positive). */
    static IocSnapshot ioc(String name, Readiness readiness, int childPid) {
        boolean active = childPid > 0;
        return new IocSnapshot(name, true, active ? ActiveState.ACTIVE : ActiveState.INACTIVE, active ? "running" : "dead", true,
                readiness, active ? childPid - 1 : -1, childPid, Double.NaN, -1, 0, 0, null, "/run/x/" + name,
                "ABSENT", List.of(), 0, 0, "/tmp/conf.d/" + name + ".conf", "/tmp/log/" + name + ".log",
                "./st.cmd", "/opt/iocs/" + name, "", null, Map.of());
    }

    /** A TCP peer on loopback: a CA echo server, a silent (hung) one, or one that floods nonsense. */
    private static final class Peer implements AutoCloseable {

        /**
         * ANSWER: echoes, and a heartbeat channel whose value changes at every echo; FROZEN_BEAT:
         * echoes, but the heartbeat keeps its first value; NO_SUCH_PV: echoes, and refuses every
         * channel (CREATE_CH_FAIL); SILENT: reads and never answers; FLOOD: sends nonsense.
         */
        enum Behaviour { ANSWER, FROZEN_BEAT, NO_SUCH_PV, SILENT, FLOOD }

        private final Behaviour behaviour;
        private final ServerSocket server;
        private final AtomicInteger accepted = new AtomicInteger();
        private final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());

        Peer(Behaviour behaviour) throws IOException {
            this.behaviour = behaviour;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::acceptLoop, "peer-" + behaviour);
            t.setDaemon(true);
            t.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        int accepted() {
            return accepted.get();
        }

        long sent() {
            return sent.get();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s), "peer-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                switch (behaviour) {
                    case SILENT -> in.transferTo(OutputStream.nullOutputStream());
                    case FLOOD -> {
                        byte[] junk = new byte[8192];
                        new java.util.Random(1).nextBytes(junk);
                        while (true) {
                            out.write(junk);
                            sent.addAndGet(junk.length);
                        }
                    }
                    case ANSWER, FROZEN_BEAT, NO_SUCH_PV -> {
                        out.write(ByteBuffer.allocate(16).putShort(6, (short) 13).array()); // VERSION, minor 13
                        DataInputStream data = new DataInputStream(in);
                        byte[] header = new byte[16];
                        int subscription = -1;
                        int beat = 0;
                        while (true) {
                            data.readFully(header);
                            ByteBuffer h = ByteBuffer.wrap(header);
                            data.skipNBytes(h.getShort(2) & 0xFFFF);
                            switch (h.getShort(0)) {
                                case CaMessages.ECHO -> {
                                    out.write(header);
                                    if (subscription >= 0 && behaviour == Behaviour.ANSWER) {
                                        out.write(value(subscription, ++beat));
                                    }
                                }
                                case CaMessages.CREATE_CHAN -> out.write(behaviour == Behaviour.NO_SUCH_PV
                                        ? reply(CaMessages.CREATE_CH_FAIL, 0, h.getInt(8), 0)
                                        : reply(CaMessages.CREATE_CHAN, 0, h.getInt(8), 7));
                                case CaMessages.EVENT_ADD -> {
                                    subscription = h.getInt(12);
                                    out.write(value(subscription, beat));
                                }
                                default -> {
                                    // nothing else is asked
                                }
                            }
                        }
                    }
                    default -> throw new IllegalStateException();
                }
            } catch (IOException e) {
                // the probe closed it, or the test ended
            }
        }

        private static byte[] reply(int command, int payload, int p1, int p2) {
            return ByteBuffer.allocate(16).putShort((short) command).putShort((short) payload).putShort(6, (short) 1)
                    .putInt(8, p1).putInt(12, p2).array();
        }

        /** A heartbeat update: EVENT_ADD, ECA_NORMAL, the value as a 40-byte string. */
        private static byte[] value(int subscription, int beat) {
            ByteBuffer b = ByteBuffer.allocate(56).putShort((short) CaMessages.EVENT_ADD).putShort((short) 40)
                    .putShort((short) CaMessages.DBR_STRING).putShort((short) 1).putInt(CaMessages.ECA_NORMAL).putInt(subscription);
            b.put(Integer.toString(beat).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return b.array();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
