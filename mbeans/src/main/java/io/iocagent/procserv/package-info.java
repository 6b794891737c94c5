/**
 * What procServ tells us through its log file: an incremental, rotation-aware reader that turns
 * {@code LOG_DIR/NAME.log} into typed events (child started, child shutting down, initialization
 * complete, crash tokens), and the startup signals the start verdict and readiness are judged
 * from. Depends on {@code crash} for the token sets.
 */
package io.iocagent.procserv;
