package io.iocagent.http;

import io.iocagent.jmx.Role;
import java.util.Locale;

/**
 * Who sent a request: an authenticated user with their role, or the anonymous viewer that a
 * loopback-only endpoint admits.
 */
record Caller(String name, Role role) {

    static final String ANONYMOUS = "anonymous";

    static Caller anonymous() {
        return new Caller(ANONYMOUS, Role.VIEWER);
    }

    boolean operator() {
        return role == Role.OPERATOR;
    }

    String roleName() {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
