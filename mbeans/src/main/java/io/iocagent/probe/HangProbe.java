package io.iocagent.probe;

import io.iocagent.conf.IocName;
import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Readiness;
import io.iocagent.model.Responsiveness;
import io.iocagent.model.SnapshotSource;
import java.io.IOError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every READY (or HUNG) IOC that serves Channel Access, every {@link ProbeSettings#interval},
 * whether its CA server answers (see {@link Circuit}) and, for an IOC with a heartbeat PV
 * ({@link Heartbeats}), whether that PV still changes, and hands the findings of each round to a
 * sink — the model's {@code Refresher#probed}, which makes a live, READY IOC whose server failed
 * {@link ProbeSettings#failures} probes in a row {@code HUNG}.
 *
 * <p><b>Cheap and bounded.</b> One thread, {@code ioc-probe}, drives every circuit through one
 * {@link Selector}: all IOCs are asked at once, non-blocking, so hung IOCs cost the others nothing
 * and no model thread ever waits on a socket. One circuit per IOC child is kept open between
 * rounds (a new child gets a new one); at most {@link ProbeSettings#maxConnections} are open.
 * Each round reads the current snapshot only; the round's findings go to the sink once.
 *
 * <p>{@link #start()} and {@link #close()} may be called from any thread.
 */
public final class HangProbe implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HangProbe.class);

    private final SnapshotSource source;
    private final CaEndpoint endpoints;
    private final ProbeSettings settings;
    private final Heartbeats heartbeats;
    private final Consumer<Map<IocName, Responsiveness>> sink;
    private final Selector selector;
    private final Thread thread;
    private volatile boolean closed;

    // Owned by the probe thread.
    private final Map<IocName, Circuit> circuits = new HashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
    private long nextRound = System.nanoTime();
    private boolean roundOpen;
    private long roundDeadline;
    private boolean overLimitLogged;

    /**
     * @param source    the snapshots whose READY IOCs to probe
     * @param endpoints where each IOC's CA server listens
     * @param settings  interval, timeout, failure limit, connection limit
     * @param sink      takes each round's findings, on the probe thread; must return quickly
     */
    public HangProbe(SnapshotSource source, CaEndpoint endpoints, ProbeSettings settings,
                     Consumer<Map<IocName, Responsiveness>> sink) {
        this(source, endpoints, settings, Heartbeats.NONE, sink);
    }

    /**
     * @param source     the snapshots whose READY IOCs to probe
     * @param endpoints  where each IOC's CA server listens
     * @param settings   interval, timeout, failure limit, connection limit
     * @param heartbeats the IOCs' heartbeat PVs, watched on the same circuits
     * @param sink       takes each round's findings, on the probe thread; must return quickly
     */
    public HangProbe(SnapshotSource source, CaEndpoint endpoints, ProbeSettings settings, Heartbeats heartbeats,
                     Consumer<Map<IocName, Responsiveness>> sink) {
        this.source = Objects.requireNonNull(source, "source");
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
        this.sink = Objects.requireNonNull(sink, "sink");
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open a selector for the hang probe: " + e.getMessage(), e);
        }
        this.thread = new Thread(this::run, "ioc-probe");
        this.thread.setDaemon(true);
    }

    /** Starts probing; the first round runs at once. */
    public void start() {
        thread.start();
    }

    /** Stops the thread and closes every circuit. Idempotent. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("Closing the hang probe's selector failed", e);
        }
    }

    /**
     * The probe thread. A round that fails unexpectedly is logged and its circuits closed; the
     * next round starts afresh. A selector that fails is an {@link IOError}: with hang detection
     * gone the agent should be restarted rather than run on without it (the agent's watchdog ends
     * the process on an {@code Error}).
     */
    private void run() {
        try {
            while (!closed) {
                try {
                    step();
                } catch (RuntimeException e) {
                    LOG.error("A hang probe round failed; its connections are closed and the next round starts afresh", e);
                    circuits.values().forEach(Circuit::close);
                    circuits.clear();
                    roundOpen = false;
                }
            }
        } catch (ClosedSelectorException e) {
            // closing
        } catch (IOException e) {
            if (!closed) {
                throw new IOError(e);
            }
        } finally {
            circuits.values().forEach(Circuit::close);
            circuits.clear();
        }
    }

    /** Begins a round when one is due, waits for sockets or a deadline, handles what is ready, ends a round that is done. */
    private void step() throws IOException {
        long now = System.nanoTime();
        if (now - nextRound >= 0) {
            nextRound = now + settings.interval().toNanos();
            if (roundOpen) {
                endRound();
            }
            beginRound(now);
        }
        long wake = roundOpen && roundDeadline - nextRound < 0 ? roundDeadline : nextRound;
        selector.select(Math.max(1, (wake - System.nanoTime() + 999_999) / 1_000_000));
        now = System.nanoTime();
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            ((Circuit) key.attachment()).ready(buffer, now);
        }
        if (roundOpen && (now - roundDeadline >= 0 || circuits.values().stream().noneMatch(Circuit::waiting))) {
            endRound();
        }
    }

    /** Opens a window on the circuit of every IOC to probe now; drops the circuits of the others. */
    private void beginRound(long now) {
        Map<IocName, Target> targets = targets();
        Map<IocName, Responsiveness> dropped = new HashMap<>();
        for (Iterator<Map.Entry<IocName, Circuit>> it = circuits.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<IocName, Circuit> e = it.next();
            Target target = targets.get(e.getKey());
            if (target == null || !target.address().equals(e.getValue().address)
                    || target.childPid() != e.getValue().childPid
                    || !Objects.equals(target.heartbeatPv(), e.getValue().heartbeatPv)) {
                e.getValue().close();
                it.remove();
                dropped.put(e.getKey(), Responsiveness.UNPROBED);
            }
        }
        if (!dropped.isEmpty()) {
            sink.accept(dropped);
        }
        for (Map.Entry<IocName, Target> t : targets.entrySet()) {
            Circuit c = circuits.get(t.getKey());
            if (c == null) {
                if (circuits.size() >= settings.maxConnections()) {
                    if (!overLimitLogged) {
                        overLimitLogged = true;
                        LOG.warn("More IOCs serve Channel Access than probe.connections.max ({}); the others are not"
                                + " checked for hangs. -> Raise probe.connections.max.", settings.maxConnections());
                    }
                    continue;
                }
                c = new Circuit(t.getKey(), t.getValue().address(), t.getValue().childPid(), t.getValue().heartbeatPv(),
                        heartbeats.stale());
                circuits.put(t.getKey(), c);
            }
            c.begin(selector, now);
        }
        roundOpen = true;
        roundDeadline = now + settings.timeout().toNanos();
    }

    /** Closes every open window as unanswered and hands the round's findings to the sink. */
    private void endRound() {
        roundOpen = false;
        long now = System.nanoTime();
        Map<IocName, Responsiveness> found = new HashMap<>();
        circuits.forEach((name, c) -> {
            c.endWindow(now);
            found.put(name, c.responsiveness(settings.failures()));
        });
        if (!found.isEmpty()) {
            sink.accept(found);
        }
    }

    /** One IOC child to probe, where, and its heartbeat PV (null: none). */
    private record Target(InetSocketAddress address, int childPid, String heartbeatPv) {
    }

    /** The IOCs to probe now: READY or HUNG, with a live child and a known CA endpoint. */
    private Map<IocName, Target> targets() {
        Map<IocName, Target> targets = new HashMap<>();
        for (IocSnapshot ioc : source.current().iocs().values()) {
            if ((ioc.readiness() == Readiness.READY || ioc.readiness() == Readiness.HUNG) && ioc.childPid() > 0
                    && IocName.isValid(ioc.name())) {
                IocName name = new IocName(ioc.name());
                Optional<InetSocketAddress> at = endpoints.of(ioc);
                at.ifPresent(a -> targets.put(name, new Target(a, ioc.childPid(), heartbeats.pv(name).orElse(null))));
            }
        }
        return targets;
    }
}
