/**
 * IOC configuration: names, the {@code NAME.conf} file format (one reading, used everywhere),
 * validation with the seed's rules and messages, rendering of generated confs and unit templates,
 * and the per-mode directory layout. Pure logic over files; depends on nothing else in the project.
 */
package io.iocagent.conf;
