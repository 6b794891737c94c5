package io.iocagent.model;

import java.util.List;

/**
 * The Channel Access and PV Access servers of one IOC and who is connected to them, found in the
 * kernel's socket table ({@link EndpointSurvey}). Absent ports are -1.
 *
 * @param caServerPort  TCP port of the CA server (rsrv): where clients open circuits. 5064 for the
 *                      first IOC of a host, an ephemeral port for later ones
 * @param caSearchPort  UDP port the CA server answers name searches on (normally 5064, shared by
 *                      every IOC of the host); -1 when not seen
 * @param pvaServerPort TCP port of the PV Access server (5075, or an ephemeral port)
 * @param caClients     connected CA circuits, by address and port (the agent's own hang probe is none)
 * @param pvaClients    connected PVA clients, by address and port
 * @param caServerHost  the address a client on this host reaches the CA server at: loopback when it
 *                      listens on every interface, else the address it is bound to; empty without CA
 */
public record IocEndpoints(int caServerPort, int caSearchPort, int pvaServerPort, List<NetworkClient> caClients,
                           List<NetworkClient> pvaClients, String caServerHost) {

    /** No server seen (not running, a stand-in that serves no CA, or not surveyed yet). */
    public static final IocEndpoints NONE = new IocEndpoints(-1, -1, -1, List.of(), List.of(), "");

    public IocEndpoints {
        caClients = List.copyOf(caClients);
        pvaClients = List.copyOf(pvaClients);
        caServerHost = caServerHost == null ? "" : caServerHost;
    }

    /** Endpoints whose CA server, if any, listens on every interface (reached on loopback). */
    public IocEndpoints(int caServerPort, int caSearchPort, int pvaServerPort, List<NetworkClient> caClients,
                        List<NetworkClient> pvaClients) {
        this(caServerPort, caSearchPort, pvaServerPort, caClients, pvaClients,
                caServerPort > 0 ? java.net.InetAddress.getLoopbackAddress().getHostAddress() : "");
    }

    /** True when the IOC serves Channel Access. */
    public boolean servesCa() {
        return caServerPort > 0;
    }

    /** True when the IOC serves PV Access. */
    public boolean servesPva() {
        return pvaServerPort > 0;
    }
}
