package io.iocagent.conf;

/**
 * Where an IOC lives: under the system manager as the service account, or under the invoking
 * user's own systemd manager. The mode decides the expected identity, the directories and the
 * unit template; it never changes how a conf file is read.
 */
public enum Mode {
    SYSTEM("system"),
    LOCAL("local");

    private final String label;

    Mode(String label) {
        this.label = label;
    }

    /** The word the seed prints for this mode ({@code IOC x installed in local mode.}). */
    public String label() {
        return label;
    }
}
