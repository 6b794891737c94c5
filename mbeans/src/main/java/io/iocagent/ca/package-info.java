/**
 * Channel Access on the wire, as far as the project speaks it: {@link io.iocagent.ca.CaMessages}
 * writes the messages a client sends, {@link io.iocagent.ca.CaReplies} reads a server's stream
 * message by message, and {@link io.iocagent.ca.CaNameSearch} asks one CA server over a TCP
 * circuit whether it serves a PV name (the hang probe's echo uses the first two). Plain JDK
 * sockets; depends on nothing else in the project.
 */
package io.iocagent.ca;
