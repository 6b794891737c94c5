package io.iocagent.probe;

import io.iocagent.model.IocSnapshot;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Where an IOC's Channel Access server accepts TCP circuits, as far as the snapshot tells: the
 * probe asks only IOCs for which this answers, so an IOC that serves no CA (a stand-in, a
 * PVA-only server) is never probed and never HUNG.
 */
@FunctionalInterface
public interface CaEndpoint {

    /** No IOC serves CA: the probe stays idle. */
    CaEndpoint NONE = ioc -> Optional.empty();

    /**
     * The CA server the model found in the kernel's socket table ({@code IocEndpoints}, surveyed
     * every poll): the one source of the fact, so an IOC that serves no CA is never probed.
     */
    CaEndpoint SURVEYED = ioc -> ioc.endpoints().servesCa()
            ? Optional.of(new InetSocketAddress(ioc.endpoints().caServerHost(), ioc.endpoints().caServerPort()))
            : Optional.empty();

    /** The CA server's TCP address for {@code ioc}'s current child, empty when it serves none (or is not known). */
    Optional<InetSocketAddress> of(IocSnapshot ioc);
}
