package io.iocagent.ops;

import io.iocagent.model.IocEndpoints;
import io.iocagent.model.NetworkClient;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The seed's {@code list} tables, byte for byte (scripts parse them): fixed printf column widths,
 * a header, a 100-character rule, one row per IOC; and a JSON rendering of the same rows plus
 * console clients for scripts that prefer it.
 */
public final class ListFormat {

    private static final String RULE = "-".repeat(100);
    private static final DateTimeFormatter STARTED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());
    /** Column widths of the seed's printf formats ({@code %-20s | %-8s | ...}); the last column is unpadded. */
    private static final int[] PLAIN = {20, 8, 17, 0};
    private static final int[] VERBOSE = {20, 8, 17, 6, 5, 6, 0};
    private static final int[] FULL = {20, 8, 17, 6, 5, 6, 3, 3, 4, 9, 10, 10, 0};
    /**
     * {@code -vv} with the CA, PVA and ORPHANS columns after the seed's (UDS PATH is then padded to
     * 40): ORPHANS lists the PIDs of the IOC's processes outside its unit, {@code -} when none.
     */
    private static final int[] FULL_EPICS = {20, 8, 17, 6, 5, 6, 3, 3, 4, 9, 10, 10, 40, 12, 12, 0};

    private ListFormat() {
    }

    /** The table at verbosity 0, 1 ({@code -v}) or 2 ({@code -vv}). */
    public static List<String> table(List<IocRow> rows, int verbosity) {
        List<String> out = new ArrayList<>(rows.size() + 2);
        switch (verbosity) {
            case 0 -> out.add(line(PLAIN, "IOC NAME", "STATUS", "STARTED", "UDS PATH"));
            case 1 -> out.add(line(VERBOSE, "IOC NAME", "STATUS", "STARTED", "PID", "CPU", "MEM", "UDS PATH"));
            default -> out.add(line(FULL_EPICS, "IOC NAME", "STATUS", "STARTED", "PID", "CPU", "MEM",
                    "RQ", "SQ", "REF", "K-STATE", "INODE", "PERM", "UDS PATH", "CA", "PVA", "ORPHANS"));
        }
        out.add(RULE);
        for (IocRow r : rows) {
            String started = r.started().map(STARTED::format).orElse("-");
            String pid = r.mainPid().isPresent() && r.mainPid().getAsInt() > 0 ? Integer.toString(r.mainPid().getAsInt()) : "N/A";
            switch (verbosity) {
                case 0 -> out.add(line(PLAIN, r.name(), r.activeState(), started, r.socketPath()));
                case 1 -> out.add(line(VERBOSE, r.name(), r.activeState(), started, pid, cpu(r.cpuNanos()),
                        mem(r.memoryBytes()), r.socketPath()));
                default -> {
                    IocRow.SocketFacts s = r.socket().orElse(null);
                    IocEndpoints e = r.endpoints();
                    out.add(line(FULL_EPICS, r.name(), r.activeState(), started, pid, cpu(r.cpuNanos()),
                            mem(r.memoryBytes()),
                            s == null ? "0" : Integer.toString(s.recvQueue()),
                            s == null ? "0" : Integer.toString(s.sendQueue()),
                            s == null ? "0" : Integer.toString(s.refCount()),
                            s == null ? "UNKNOWN" : s.kernelState(),
                            s == null ? "N/A" : Long.toString(s.inode()),
                            s == null ? "N/A" : s.permissions(),
                            r.socketPath(),
                            server(e.caServerPort(), e.caClients().size()),
                            server(e.pvaServerPort(), e.pvaClients().size()),
                            orphans(r.orphanPids())));
                }
            }
        }
        return out;
    }

    /**
     * One row as {@code printf "%-W1s | %-W2s | ... | %s"} prints it: each cell left-aligned and
     * padded to its width (never cut), cells joined by {@code " | "}. Written out rather than
     * through {@link String#format}, which parses its pattern anew for every one of a thousand rows.
     */
    static String line(int[] widths, String... cells) {
        StringBuilder b = new StringBuilder(128);
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                b.append(" | ");
            }
            b.append(cells[i]);
            for (int pad = widths[i] - cells[i].length(); pad > 0; pad--) {
                b.append(' ');
            }
        }
        return b.toString();
    }

    /** A server column of {@code -vv}: {@code PORT/CLIENTS}, e.g. {@code 5064/2}; {@code -} when not served. */
    static String server(int port, int clients) {
        return port > 0 ? port + "/" + clients : "-";
    }

    /** The ORPHANS column of {@code -vv}: PIDs joined by commas, {@code -} when none. */
    static String orphans(List<Integer> pids) {
        if (pids.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (int pid : pids) {
            b.append(b.length() == 0 ? "" : ",").append(pid);
        }
        return b.toString();
    }

    /** CPU time in tenths of a second, rounded: the seed's {@code (ns + 5e7) / 1e8}. */
    static String cpu(OptionalLong nanos) {
        if (nanos.isEmpty()) {
            return "N/A";
        }
        long d = (nanos.getAsLong() + 50_000_000L) / 100_000_000L;
        return d / 10 + "." + d % 10 + "s";
    }

    /** Memory in MiB with one decimal, rounded: the seed's {@code (bytes*10 + 524288) / 1048576}. */
    static String mem(OptionalLong bytes) {
        if (bytes.isEmpty()) {
            return "N/A";
        }
        long d = (bytes.getAsLong() * 10 + 524_288L) / 1_048_576L;
        return d / 10 + "." + d % 10 + "M";
    }

    /** A CA or PVA server as JSON: null when not served; a search port only when one is known. */
    private static void server(JsonText j, int port, int searchPort, List<NetworkClient> clients) {
        if (port <= 0) {
            j.value((String) null);
            return;
        }
        j.open('{').key("serverPort").value((long) port);
        if (searchPort > 0) {
            j.key("searchPort").value((long) searchPort);
        }
        j.key("clients").open('[');
        for (NetworkClient c : clients) {
            j.open('{').key("address").value(c.address()).key("port").value((long) c.port())
                    .key("pid").value(c.pid() > 0 ? Long.valueOf(c.pid()) : null).close('}');
        }
        j.close(']').close('}');
    }

    /** The rows as one JSON document: {@code {"mode":…,"iocs":[…]}}. */
    public static String json(String mode, List<IocRow> rows) {
        JsonText j = new JsonText();
        j.open('{').key("mode").value(mode).key("iocs").open('[');
        for (IocRow r : rows) {
            j.open('{')
                    .key("name").value(r.name())
                    .key("installed").value(r.installed())
                    .key("status").value(r.activeState())
                    .key("subState").value(r.subState())
                    .key("enabled").value(r.enabled())
                    .key("started").value(r.started().map(Object::toString).orElse(null))
                    .key("pid").value(r.mainPid().isPresent() && r.mainPid().getAsInt() > 0 ? (long) r.mainPid().getAsInt() : null)
                    .key("cpuSeconds").value(r.cpuNanos().isPresent() ? r.cpuNanos().getAsLong() / 1e9 : null)
                    .key("memoryBytes").value(r.memoryBytes().isPresent() ? r.memoryBytes().getAsLong() : null)
                    .key("socket").open('{').key("path").value(r.socketPath());
            r.socket().ifPresent(s -> j.key("state").value(s.kernelState()).key("inode").value(s.inode())
                    .key("recvQueue").value((long) s.recvQueue()).key("sendQueue").value((long) s.sendQueue())
                    .key("refCount").value((long) s.refCount()).key("permissions").value(s.permissions()));
            j.close('}').key("consoleClients").open('[');
            for (IocRow.Client c : r.clients()) {
                j.open('{').key("pid").value((long) c.pid()).key("user").value(c.user()).key("command").value(c.command())
                        .key("since").value(c.since().map(Object::toString).orElse(null)).close('}');
            }
            j.close(']');
            server(j.key("channelAccess"), r.endpoints().caServerPort(), r.endpoints().caSearchPort(),
                    r.endpoints().caClients());
            server(j.key("pvAccess"), r.endpoints().pvaServerPort(), -1, r.endpoints().pvaClients());
            j.key("orphanPids").open('[');
            r.orphanPids().forEach(pid -> j.value((long) pid));
            j.close(']');
            j.key("lastExit");
            if (r.lastExit() == null) {
                j.value((String) null);
            } else {
                j.open('{').key("text").value(r.lastExit().summary()).key("reason").value(r.lastExit().reason())
                        .key("pid").value((long) r.lastExit().pid()).close('}');
            }
            j.close('}');
        }
        return j.close(']').close('}').toString();
    }
}
