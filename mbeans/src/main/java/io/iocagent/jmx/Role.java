package io.iocagent.jmx;

import java.util.Locale;

/**
 * What a user of the credentials file may do, on JMX and on Jolokia alike: a viewer reads
 * attributes and receives notifications; an operator may also invoke operations.
 */
public enum Role {
    /** Read-only: JMX {@code readonly}. */
    VIEWER,
    /** Read and operate: JMX {@code readwrite} (still no MBean creation or unregistration). */
    OPERATOR;

    /** The word used in the credentials file: {@code viewer} or {@code operator}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code text} in a credentials file, or null. */
    public static Role ofText(String text) {
        for (Role r : values()) {
            if (r.text().equals(text)) {
                return r;
            }
        }
        return null;
    }
}
