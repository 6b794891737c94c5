/**
 * JMH benchmarks of the socket and process sources (unix_diag dump, {@code /proc} descriptor scan,
 * console client tracing) on a host crowded with unrelated sockets. Test code only: it uses the
 * integration-test fixtures and JMH, and is run by the {@code bench} Maven profile
 * (see {@code docs/benchmarks.md}), never by {@code mvn test}.
 */
package io.iocagent.bench;
