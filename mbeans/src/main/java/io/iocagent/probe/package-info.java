/**
 * Hang detection: the Channel Access probe. One thread asks every READY IOC's CA server, over one
 * reused TCP circuit per IOC, for a protocol-level echo that needs no PV name (and, for an IOC with
 * a heartbeat PV, watches that PV's value change on the same circuit), and hands what it
 * found to the model ({@code model.Refresher#probed}), which turns K failures in a row into
 * {@code Readiness.HUNG}. Speaks CA through {@code ca} (its messages, and the PV name rule);
 * depends on {@code ca}, {@code conf} and {@code model} only; no surface talks to it.
 */
package io.iocagent.probe;
