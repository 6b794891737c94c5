/**
 * What procServ tells us through its log file: an incremental, rotation-aware reader that turns
 * {@code LOG_DIR/NAME.log} into typed events (child started, child shutting down, initialization
 * complete, crash tokens), and the startup signals the start verdict and readiness are judged
 * from. A log is read only when it is the IOC's own file ({@code LogFile}). Depends on
 * {@code crash} for the token sets, {@code conf} for the layout and {@code posix} for no-follow
 * opens.
 */
package io.iocagent.procserv;
