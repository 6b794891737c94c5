/**
 * The agent's HTTP surfaces: Jolokia (JMX over HTTP, with viewer/operator roles, a policy file,
 * strict CORS and an audit log of every operation) and Prometheus {@code /metrics}, each on its own
 * JDK {@code HttpServer}. Surfaces only read: metrics come from {@code io.iocagent.model} snapshots,
 * Jolokia from the MBeans registered by others. May depend on {@code model} and {@code jmx}
 * (credentials); nothing depends on it but the agent's {@code main}.
 */
package io.iocagent.http;
