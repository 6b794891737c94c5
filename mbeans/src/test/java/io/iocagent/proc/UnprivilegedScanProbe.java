package io.iocagent.proc;

import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Run by {@link ProcessTableIT} in a child JVM as an unprivileged user: scans the holders of every
 * socket while holding one itself, and prints one line
 * {@code inspected=N uninspected=N seesOwn=true|false pids=P,P,...}.
 */
public final class UnprivilegedScanProbe {

    private UnprivilegedScanProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocketChannel own = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            int self = (int) ProcessHandle.current().pid();
            SocketHolders holders = new ProcessTable().socketHolders();
            boolean seesOwn = holders.pidsByInode().values().stream().anyMatch(pids -> pids.contains(self));
            String pids = holders.pidsByInode().values().stream().flatMap(List::stream).distinct().sorted()
                    .map(String::valueOf).collect(Collectors.joining(","));
            System.out.println("inspected=" + holders.inspected() + " uninspected=" + holders.uninspected()
                    + " seesOwn=" + seesOwn + " pids=" + pids);
        }
    }
}
