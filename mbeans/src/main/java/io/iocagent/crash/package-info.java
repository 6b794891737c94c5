/**
 * Crash detection vocabulary: the seed's crash, exclusion and readiness tokens
 * ({@link io.iocagent.crash.CrashPatterns}), the {@code CRASH_LOG_PATTERNS_EXTRA} classifier, and
 * {@link io.iocagent.crash.PosixEre}, which compiles POSIX extended regular expressions with GNU
 * {@code grep -E} semantics so that a pattern accepted, rejected or matched by the seed behaves the
 * same here; and {@link io.iocagent.crash.ChildExit}, how a child ended as procServ logs it. Pure
 * logic; depends on nothing else in the project.
 */
package io.iocagent.crash;
