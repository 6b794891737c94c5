/**
 * The {@code ioc-runner} command line: the seed's grammar (options anywhere, one command, one
 * target), its usage text, and the wiring of operations to stdout/stderr/stdin. Only parses and
 * dispatches; every operation lives in {@code io.iocagent.ops}.
 */
package io.iocagent.cli;
