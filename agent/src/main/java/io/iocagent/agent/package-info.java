/**
 * The agent daemon: its settings (one properties file plus flags), systemd readiness
 * notification, and the wiring of the live model to the JMX, Jolokia and Prometheus surfaces.
 * Only wires; every surface and source lives in its own package.
 */
package io.iocagent.agent;
