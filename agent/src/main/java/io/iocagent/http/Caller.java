package io.iocagent.http;

import io.iocagent.jmx.Role;
import java.util.Locale;

/**
 * Who sent a request: an authenticated user with their role, or the anonymous viewer that a
 * loopback-only endpoint admits.
 */
record Caller(String name, Role role, boolean authenticated) {

    static final String ANONYMOUS = io.iocagent.jmx.Disclosure.ANONYMOUS;

    /** An authenticated user. */
    Caller(String name, Role role) {
        this(name, role, true);
    }

    static Caller anonymous() {
        return new Caller(ANONYMOUS, Role.VIEWER, false);
    }

    boolean operator() {
        return role == Role.OPERATOR;
    }

    String roleName() {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
