package io.iocagent.ops;

import io.iocagent.ca.CaNameSearch;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Mode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * {@code which PVNAME}: which IOC of this host serves a PV. Asks each running IOC that serves
 * Channel Access — found by {@code list}'s survey of the kernel's socket table — over its own CA
 * server port on loopback ({@link CaNameSearch}), a few at a time, and reports every IOC that
 * answers yes: two IOCs serving one name is a fault worth seeing, which a CA client hides (it
 * connects to the first answer).
 *
 * <p>Exit status: {@link #SERVED} (0) when at least one IOC serves the PV, {@link #NOT_SERVED} (4,
 * as {@code systemctl} says "no such unit") when none does, 1 on an error (a PV name that cannot
 * be asked for, systemd or the socket table unreadable).
 */
public final class WhichIoc {

    public static final int SERVED = 0;
    public static final int NOT_SERVED = 4;
    /** How long one IOC has to accept the circuit, and then to answer. */
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(2);
    /** IOCs asked at the same time. */
    static final int PARALLEL = 16;

    /**
     * An IOC that serves the PV.
     *
     * @param ioc          its name
     * @param unit         its systemd unit
     * @param activeState  the unit's ActiveState
     * @param caServerPort the CA server port that answered
     */
    public record Server(String ioc, String unit, String activeState, int caServerPort) {
    }

    /**
     * The answer.
     *
     * @param pv         the PV name asked for
     * @param servedBy   every IOC that serves it, by name
     * @param asked      IOCs with a CA server that were asked
     * @param unanswered one line per IOC that could not be asked or did not answer, e.g.
     *                   {@code "ioc2 (CA port 41234): no answer within 2000 ms"}
     */
    public record Answer(String pv, List<Server> servedBy, int asked, List<String> unanswered) {

        public Answer {
            servedBy = List.copyOf(servedBy);
            unanswered = List.copyOf(unanswered);
        }
    }

    private final Session session;
    private final CaNameSearch search = new CaNameSearch(ANSWER_TIMEOUT);

    public WhichIoc(Session session) {
        this.session = session;
    }

    /**
     * Asks this host's IOCs of the session's mode.
     *
     * @throws OperationException for a PV name that cannot be asked for (nothing is asked then),
     *                            or when the IOCs cannot be listed
     */
    public Answer find(String pv) throws OperationException {
        String problem = CaNameSearch.problem(pv);
        if (problem != null) {
            throw OperationException.failure("Cannot ask for PV '" + printable(pv) + "': " + problem,
                    "  -> Give the PV name as a CA client would (e.g. 'IOC:temperature' or 'IOC:temperature.EGU').");
        }
        if (session.mode() == Mode.SYSTEM && !session.account().isRoot()
                && !Inspector.hasCapability(Inspector.CAP_SYS_PTRACE)) {
            throw OperationException.failure("'which' requires root privileges in system mode to find the IOCs'"
                    + " Channel Access ports (their processes' sockets are not readable by this user).",
                    "Hint: Execute with sudo, or ask the agent (Manager operation whichIoc).");
        }
        List<IocRow> serving = new ListReport(session).collect(ListReport.Detail.SOCKET).stream()
                .filter(r -> r.endpoints().servesCa()).toList();
        return ask(pv, serving);
    }

    /**
     * Asks each IOC of {@code serving} (rows of IOCs that serve CA) for {@code pv} over its CA
     * server port on loopback, {@link #PARALLEL} at a time; the IOCs that serve it in the order of
     * {@code serving}.
     */
    Answer ask(String pv, List<IocRow> serving) throws OperationException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<Server> servedBy = new ArrayList<>();
        List<String> unanswered = new ArrayList<>();
        if (serving.isEmpty()) {
            return new Answer(pv, servedBy, 0, unanswered);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL, serving.size()), daemon());
        try {
            List<Future<CaNameSearch.Answer>> asked = new ArrayList<>();
            for (IocRow r : serving) {
                InetSocketAddress at = new InetSocketAddress(loopback, r.endpoints().caServerPort());
                asked.add(pool.submit(() -> search.ask(at, pv)));
            }
            for (int i = 0; i < serving.size(); i++) {
                IocRow r = serving.get(i);
                try {
                    if (asked.get(i).get() == CaNameSearch.Answer.SERVED) {
                        servedBy.add(new Server(r.name(), session.unit(new IocName(r.name())).toString(),
                                r.activeState(), r.endpoints().caServerPort()));
                    }
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    unanswered.add(r.name() + " (CA port " + r.endpoints().caServerPort() + "): "
                            + (cause instanceof IOException && cause.getMessage() != null ? cause.getMessage() : cause));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OperationException.failure("Interrupted while asking the IOCs for PV '" + pv + "'.");
        } finally {
            pool.shutdownNow();
        }
        return new Answer(pv, servedBy, serving.size(), unanswered);
    }

    /** Why {@code pv} cannot be asked for, or null when it can ({@link CaNameSearch#problem}). */
    public static String problem(String pv) {
        return CaNameSearch.problem(pv);
    }

    /** Prints the answer as {@code which} does; returns the exit status. */
    public int show(Answer a, boolean json) {
        Terminal t = session.terminal();
        if (json) {
            t.out(json(a));
        } else if (a.servedBy().isEmpty()) {
            t.out("No IOC of this host (" + session.mode().label() + " mode) serves PV '" + a.pv() + "' ("
                    + a.asked() + " IOC" + (a.asked() == 1 ? "" : "s") + " with a Channel Access server asked).");
        } else {
            for (Server s : a.servedBy()) {
                t.out("PV '" + a.pv() + "' is served by IOC '" + s.ioc() + "' (" + s.unit() + ", " + s.activeState()
                        + ", CA port " + s.caServerPort() + ").");
            }
            if (a.servedBy().size() > 1) {
                t.err("Warning: " + a.servedBy().size() + " IOCs serve PV '" + a.pv()
                        + "'; a CA client connects to whichever answers first.");
            }
        }
        if (!json) {
            a.unanswered().forEach(u -> t.err("Note: could not ask IOC " + u + "."));
        }
        return a.servedBy().isEmpty() ? NOT_SERVED : SERVED;
    }

    /** {@code {"pv":…,"servedBy":[{"ioc","unit","activeState","caServerPort"}],"asked":N,"unanswered":[…]}}. */
    static String json(Answer a) {
        JsonText j = new JsonText();
        j.open('{').key("pv").value(a.pv()).key("servedBy").open('[');
        for (Server s : a.servedBy()) {
            j.open('{').key("ioc").value(s.ioc()).key("unit").value(s.unit()).key("activeState").value(s.activeState())
                    .key("caServerPort").value((long) s.caServerPort()).close('}');
        }
        j.close(']').key("asked").value((long) a.asked()).key("unanswered").open('[');
        a.unanswered().forEach(j::value);
        return j.close(']').close('}').toString();
    }

    /** The name as it can be shown on one line: control characters as {@code ?}, cut at 80 characters. */
    private static String printable(String pv) {
        if (pv == null) {
            return "";
        }
        String shown = pv.length() > 80 ? pv.substring(0, 80) + "..." : pv;
        StringBuilder b = new StringBuilder(shown.length());
        shown.codePoints().forEach(c -> b.append(c < 0x20 || c == 0x7F ? "?" : Character.toString(c)));
        return b.toString();
    }

    private static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "which-ioc");
            t.setDaemon(true);
            return t;
        };
    }
}
