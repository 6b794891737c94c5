/**
 * IOC configuration: names, the {@code NAME.conf} file format (one reading, used everywhere),
 * validation with the seed's rules and messages, rendering of generated confs and unit templates,
 * and the per-mode directory layout. Pure logic over files; depends only on {@code posix} (the
 * account, and no-follow bounded opens of conf files).
 */
package io.iocagent.conf;
