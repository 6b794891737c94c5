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
 * @param caClients     connected CA circuits, by address and port
 * @param pvaClients    connected PVA clients, by address and port
 */
public record IocEndpoints(int caServerPort, int caSearchPort, int pvaServerPort, List<NetworkClient> caClients,
                           List<NetworkClient> pvaClients) {

    /** No server seen (not running, a stand-in that serves no CA, or not surveyed yet). */
    public static final IocEndpoints NONE = new IocEndpoints(-1, -1, -1, List.of(), List.of());

    public IocEndpoints {
        caClients = List.copyOf(caClients);
        pvaClients = List.copyOf(pvaClients);
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
