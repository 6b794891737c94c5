package io.iocagent.systemd;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import io.iocagent.conf.IocName;

/**
 * The systemd unit of one IOC: an instance {@code <templatePrefix><name>.service} of the template
 * {@code <templatePrefix>.service}, for example {@code epics-@motor1.service} of {@code epics-@.service}.
 *
 * <p>This type is the gate of the package: {@link SystemdBus} accepts only {@code UnitName}s for
 * operations, never raw strings, so nothing but an instance of a configured template with a valid
 * {@link IocName} can be started, stopped, enabled or disabled. Both parts are validated, so the
 * name needs no systemd escaping.
 *
 * @param templatePrefix the template name up to and including {@code @}, matching
 *                       {@code [A-Za-z0-9_.:-]+@}, at most {@link #MAX_PREFIX_LENGTH} characters
 * @param name           the IOC name, the instance part
 */
public record UnitName(String templatePrefix, IocName name) implements Comparable<UnitName> {

    /** The template prefix epics-ioc-runner installs. */
    public static final String DEFAULT_PREFIX = "epics-@";

    /** Suffix of every unit this package handles. */
    public static final String SUFFIX = ".service";

    /** systemd's limit on a unit name is 255 bytes; this leaves room for the longest IOC name. */
    public static final int MAX_PREFIX_LENGTH = 255 - SUFFIX.length() - IocName.MAX_LENGTH;

    private static final Pattern PREFIX_RULE = Pattern.compile("[A-Za-z0-9_.:-]+@");

    public UnitName {
        Objects.requireNonNull(templatePrefix, "templatePrefix");
        Objects.requireNonNull(name, "name");
        requireValidPrefix(templatePrefix);
    }

    /** The unit of IOC {@code name} under {@code templatePrefix}; both are validated. */
    public static UnitName of(String templatePrefix, String name) {
        return new UnitName(templatePrefix, new IocName(name));
    }

    /** The unit of {@code name} under {@link #DEFAULT_PREFIX}. */
    public static UnitName of(IocName name) {
        return new UnitName(DEFAULT_PREFIX, name);
    }

    /** True when {@code prefix} is a usable template prefix ({@code [A-Za-z0-9_.:-]+@}). */
    public static boolean isValidPrefix(String prefix) {
        return prefix != null
                && prefix.length() <= MAX_PREFIX_LENGTH
                && PREFIX_RULE.matcher(prefix).matches();
    }

    /**
     * Checks a configured template prefix.
     *
     * @return {@code prefix}
     * @throws IllegalArgumentException with a message naming the rule
     */
    public static String requireValidPrefix(String prefix) {
        if (!isValidPrefix(prefix)) {
            throw new IllegalArgumentException("Invalid systemd template prefix '" + prefix
                    + "'. It must consist of letters, digits, '_', '.', ':' or '-' and end with a single '@'"
                    + " (for example '" + DEFAULT_PREFIX + "'), max " + MAX_PREFIX_LENGTH + " chars.");
        }
        return prefix;
    }

    /**
     * The unit that {@code unit} names, if it is exactly {@code <prefix><valid IOC name>.service};
     * anything else (another template, another unit type, an invalid or empty instance) is empty.
     *
     * @throws IllegalArgumentException if {@code prefix} itself is invalid (a configuration error)
     */
    public static Optional<UnitName> parse(String prefix, String unit) {
        requireValidPrefix(prefix);
        if (unit == null || !unit.startsWith(prefix) || !unit.endsWith(SUFFIX)
                || unit.length() < prefix.length() + SUFFIX.length()) {
            return Optional.empty();
        }
        String instance = unit.substring(prefix.length(), unit.length() - SUFFIX.length());
        return IocName.isValid(instance)
                ? Optional.of(new UnitName(prefix, new IocName(instance)))
                : Optional.empty();
    }

    /** The glob that matches every instance of {@code prefix}'s template, e.g. {@code epics-@*.service}. */
    public static String instancePattern(String prefix) {
        return requireValidPrefix(prefix) + "*" + SUFFIX;
    }

    /** The template unit file name, e.g. {@code epics-@.service}. */
    public String templateFileName() {
        return templatePrefix + SUFFIX;
    }

    /** The full unit name, e.g. {@code epics-@motor1.service}. */
    @Override
    public String toString() {
        return templatePrefix + name.value() + SUFFIX;
    }

    @Override
    public int compareTo(UnitName other) {
        int byPrefix = templatePrefix.compareTo(other.templatePrefix);
        return byPrefix != 0 ? byPrefix : name.compareTo(other.name);
    }
}
