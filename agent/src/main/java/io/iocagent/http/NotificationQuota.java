package io.iocagent.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds Jolokia's notification clients. Jolokia 2.6 keeps every {@code register}ed client and
 * its listeners until the client unregisters, without any limit of its own (120,500 anonymous
 * registrations filled a 48 MiB heap). Here: at most {@code total} clients, {@code perCaller} of
 * them per caller (user name; anonymous callers per address), {@code perClient} listeners each;
 * a client that neither pulls, pings nor adds for {@code idle} is stale and unregistered (through
 * {@code unregister}) when room is needed or at the next notification request.
 *
 * <p>Thread-safe (synchronized; every call is short, the unregistering runs outside the lock).
 */
final class NotificationQuota {

    private static final Logger LOG = LoggerFactory.getLogger(NotificationQuota.class);

    private static final class Client {
        final String owner;
        int listeners;
        Instant lastSeen;

        Client(String owner, Instant now) {
            this.owner = owner;
            this.lastSeen = now;
        }
    }

    private final int total;
    private final int perCaller;
    private final int perClient;
    private final Duration idle;
    private final Clock clock;
    private final Map<String, Client> clients = new HashMap<>();
    /** Registrations admitted whose id has not been seen yet, per owner. */
    private final Map<String, Integer> pending = new HashMap<>();

    NotificationQuota(HttpLimits limits, Clock clock) {
        this.total = limits.notificationClients();
        this.perCaller = limits.clientsPerCaller();
        this.perClient = limits.listenersPerClient();
        this.idle = limits.notificationIdle();
        this.clock = clock;
    }

    /**
     * Admits the notification commands of one HTTP request, or says why not. Stale clients are
     * handed to {@code unregister} first (outside the lock). Admitted registrations hold a slot
     * until {@link #registered} names their id or {@link #abandon} gives them back.
     *
     * @param owner    who asks: {@code user:NAME} or {@code anonymous@ADDRESS}
     * @param commands each notification command of the request: {@code [command, client]}
     */
    Optional<String> admit(String owner, List<String[]> commands, Consumer<String> unregister) {
        for (String stale : expire()) {
            unregister.accept(stale);
        }
        synchronized (this) {
            int registers = 0;
            Map<String, Integer> adds = new HashMap<>();
            for (String[] c : commands) {
                if ("register".equals(c[0])) {
                    registers++;
                } else if (c[1] != null) {
                    Client client = clients.get(c[1]);
                    if (client != null) {
                        client.lastSeen = clock.instant();
                    }
                    if ("add".equals(c[0])) {
                        adds.merge(c[1], 1, Integer::sum);
                    }
                }
            }
            if (registers > 0) {
                int held = clients.size() + pending.values().stream().mapToInt(Integer::intValue).sum();
                long own = clients.values().stream().filter(c -> c.owner.equals(owner)).count()
                        + pending.getOrDefault(owner, 0);
                if (held + registers > total) {
                    return Optional.of("the agent holds " + held + " notification clients, its limit"
                            + " (jolokia.notification.clients.max) is " + total + "; unregister unused ones or retry after "
                            + idle.toSeconds() + " s, when idle clients are dropped.");
                }
                if (own + registers > perCaller) {
                    return Optional.of(owner + " holds " + own + " notification clients, the limit per caller"
                            + " (jolokia.notification.clients.per.caller) is " + perCaller + "; unregister unused ones.");
                }
            }
            for (Map.Entry<String, Integer> a : adds.entrySet()) {
                Client client = clients.get(a.getKey());
                int now = client == null ? 0 : client.listeners;
                if (now + a.getValue() > perClient) {
                    return Optional.of("notification client " + a.getKey() + " has " + now + " listeners, the limit"
                            + " (jolokia.notification.listeners.per.client) is " + perClient + ".");
                }
            }
            if (registers > 0) {
                pending.merge(owner, registers, Integer::sum);
            }
            return Optional.empty();
        }
    }

    /** A registration of {@code owner} was answered with {@code id}. */
    synchronized void registered(String owner, String id) {
        release(owner, 1);
        clients.put(id, new Client(owner, clock.instant()));
    }

    /** {@code count} admitted registrations of {@code owner} got no id (refused, failed, answer unread). */
    synchronized void abandon(String owner, int count) {
        release(owner, count);
    }

    private void release(String owner, int count) {
        pending.computeIfPresent(owner, (k, v) -> v - count > 0 ? v - count : null);
    }

    /** A listener was added to {@code id} (answered with a handle). */
    synchronized void added(String id) {
        Client c = clients.get(id);
        if (c != null) {
            c.listeners++;
            c.lastSeen = clock.instant();
        }
    }

    /** A listener of {@code id} was removed. */
    synchronized void removed(String id) {
        Client c = clients.get(id);
        if (c != null && c.listeners > 0) {
            c.listeners--;
        }
    }

    /** {@code id} unregistered itself (or was unregistered). */
    synchronized void unregistered(String id) {
        clients.remove(id);
    }

    /** {@code id} pulled its notifications. */
    synchronized void seen(String id) {
        Client c = clients.get(id);
        if (c != null) {
            c.lastSeen = clock.instant();
        }
    }

    synchronized int clients() {
        return clients.size();
    }

    /** Removes the stale clients from the books; the caller unregisters them from Jolokia. */
    private synchronized List<String> expire() {
        Instant oldest = clock.instant().minus(idle);
        List<String> stale = new ArrayList<>();
        for (Iterator<Map.Entry<String, Client>> it = clients.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Client> e = it.next();
            if (e.getValue().lastSeen.isBefore(oldest)) {
                stale.add(e.getKey());
                it.remove();
            }
        }
        if (!stale.isEmpty()) {
            LOG.info("Unregistering {} notification client(s) idle for more than {} s", stale.size(), idle.toSeconds());
        }
        return stale;
    }
}
