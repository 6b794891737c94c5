package io.iocagent.systemd;

/**
 * A unit's {@code ActiveState}, typed: the words systemd uses (see {@code systemd.unit(5)},
 * {@code org.freedesktop.systemd1(5)}) are read once, here, and compared as constants everywhere
 * else; only the surfaces print {@link #word()}. A word this project does not know (a newer
 * systemd's) reads as {@link #UNKNOWN} and is never mistaken for a running unit.
 */
public enum ActiveState {
    ACTIVE("active"),
    RELOADING("reloading"),
    /** systemd 257 and later: the unit refreshes (for example its mounts) while it runs. */
    REFRESHING("refreshing"),
    INACTIVE("inactive"),
    FAILED("failed"),
    ACTIVATING("activating"),
    DEACTIVATING("deactivating"),
    /** systemd 250 and later: a clean operation runs on the unit. */
    MAINTENANCE("maintenance"),
    /** Not reported, or a word this project does not know. */
    UNKNOWN("unknown");

    private final String word;

    ActiveState(String word) {
        this.word = word;
    }

    /** The state systemd names {@code word}; {@link #UNKNOWN} for an empty, null or unknown word. */
    public static ActiveState of(String word) {
        if (word != null) {
            for (ActiveState s : values()) {
                if (s.word.equals(word)) {
                    return s;
                }
            }
        }
        return UNKNOWN;
    }

    /** The word systemd uses, as {@code systemctl} prints it. */
    public String word() {
        return word;
    }

    /** True while the unit's processes run and serve: {@code active}, {@code reloading}, {@code refreshing}. */
    public boolean isUp() {
        return this == ACTIVE || this == RELOADING || this == REFRESHING;
    }
}
