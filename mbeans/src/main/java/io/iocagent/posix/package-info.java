/**
 * The few POSIX facts Java does not expose: whether stdin is a terminal, the invoking account
 * (user and group names, uid, home), and raw terminal mode for the console (termios). Thin JNA
 * bindings to libc; depends on nothing else in the project.
 */
package io.iocagent.posix;
