/**
 * Channel Access on the wire, as far as the agent speaks it: {@link io.iocagent.ca.CaNameSearch}
 * asks one CA server over a TCP circuit whether it serves a PV name. Plain JDK sockets; depends on
 * nothing else in the project.
 */
package io.iocagent.ca;
