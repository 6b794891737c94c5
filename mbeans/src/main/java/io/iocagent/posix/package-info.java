/**
 * The few POSIX facts Java does not expose: whether stdin is a terminal, the invoking account
 * (user and group names, uid, home), raw terminal mode for the console (termios), and files opened
 * without following a symbolic link with the attributes of what was opened ({@code NoFollowFile}).
 * Thin JNA bindings to libc; depends on nothing else in the project.
 */
package io.iocagent.posix;
