/**
 * IOC configuration: names, the {@code NAME.conf} file format (one reading, used everywhere),
 * validation with the seed's rules and messages, rendering of generated confs and unit templates,
 * and the per-mode directory layout. Pure logic over files; depends on {@code posix} (the
 * account, and no-follow bounded opens of conf files) and {@code crash} (the
 * {@code CRASH_LOG_PATTERNS_EXTRA} patterns a conf may set are checked when it is read).
 */
package io.iocagent.conf;
