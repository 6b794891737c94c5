package io.iocagent.conf;

import java.util.Objects;

/**
 * The account an IOC runs as, by name: {@code ioc-srv}/{@code ioc} in system mode, the invoking
 * user and primary group in local mode. Names, not ids, because the conf file, procServ's
 * {@code unix:user:group:...} port spec and the unit template all speak names.
 */
public record Identity(String user, String group) {

    public Identity {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(group, "group");
    }
}
