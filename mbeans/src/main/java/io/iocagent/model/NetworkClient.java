package io.iocagent.model;

/**
 * A Channel Access or PV Access client connected to an IOC (an MXBean composite: names appear
 * verbatim).
 *
 * @param address the client's IP address as text ({@code 127.0.0.1}, {@code ::1})
 * @param port    the client's TCP port
 * @param pid     the client process when it runs on this host and the agent may read its
 *                descriptors; -1 otherwise
 */
public record NetworkClient(String address, int port, int pid) {

    /** {@code address:port}, an IPv6 address in brackets. */
    public String endpoint() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
