package io.iocagent.conf;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A validated IOC name: {@code ^[A-Za-z0-9_][A-Za-z0-9_-]*$}, at most 64 characters.
 *
 * <p>This is the epics-ioc-runner rule, identical to the regex of its sudoers policy
 * ({@code [A-Za-z0-9_][A-Za-z0-9_-]{0,63}}), so a name that passes here is safe to embed in a
 * systemd unit name, a file name and an ObjectName without escaping.
 */
public record IocName(String value) implements Comparable<IocName> {

    /** Longest accepted name, in characters. */
    public static final int MAX_LENGTH = 64;

    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]*");

    public IocName {
        Objects.requireNonNull(value, "value");
        if (!isValid(value)) {
            throw new IllegalArgumentException(invalidMessage(value, false));
        }
    }

    /** True when {@code candidate} satisfies the name rule. */
    public static boolean isValid(String candidate) {
        return candidate != null
                && candidate.length() <= MAX_LENGTH
                && RULE.matcher(candidate).matches();
    }

    /**
     * The seed's error text for an invalid name.
     *
     * @param derivedFromPath true for names taken from a directory (generate), which the seed
     *                        words as "derived from path"
     */
    public static String invalidMessage(String candidate, boolean derivedFromPath) {
        return "Invalid IOC name '" + candidate + "'" + (derivedFromPath ? " derived from path" : "")
                + ". Only alphanumeric characters, '-', and '_' are allowed; must not start with '-', max "
                + MAX_LENGTH + " chars.";
    }

    /**
     * The name a target argument denotes: its last path component without a trailing
     * {@code .conf} ({@code /a/b/x.conf} gives {@code x}, {@code foo/} gives {@code foo}).
     * The result is not validated.
     */
    public static String baseName(String target) {
        String t = target;
        while (t.length() > 1 && t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        int slash = t.lastIndexOf('/');
        String base = slash >= 0 && t.length() > 1 ? t.substring(slash + 1) : t;
        if (base.endsWith(".conf") && base.length() > ".conf".length()) {
            base = base.substring(0, base.length() - ".conf".length());
        }
        return base;
    }

    /** The name of the IOC whose configuration file is {@code confFile}, validated. */
    public static IocName ofConfFile(Path confFile) {
        return new IocName(baseName(confFile.getFileName().toString()));
    }

    @Override
    public int compareTo(IocName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
