package io.iocagent.jmx;

import java.util.Set;
import javax.management.ObjectName;

/**
 * What an anonymous caller may not read. Anonymous access exists on loopback only, where every
 * local user is anonymous; the IOCs' confs and logs are private to their owners (0640/0600), so
 * the facts taken from them — the command, the directories, the log's last error and who is on
 * the console — are for authenticated viewers and operators. An anonymous caller still sees every
 * IOC's name, state, readiness, resources and counts. See docs/security.md "Threat model".
 */
public final class Disclosure {

    /** Attributes of {@code epics.ioc:type=Ioc,*} withheld from anonymous callers. */
    public static final Set<String> PRIVATE_IOC_ATTRIBUTES =
            Set.of("Command", "WorkingDirectory", "ConfPath", "LogPath", "LastError", "ConsoleClients");

    /** The JVM's runtime MBean, whose {@link #COMMAND_LINE} attributes show its command line and properties. */
    public static final String RUNTIME = "java.lang:type=Runtime";
    public static final Set<String> COMMAND_LINE = Set.of("SystemProperties", "InputArguments");

    /** The user name an anonymous caller has on every surface. */
    public static final String ANONYMOUS = "anonymous";

    private Disclosure() {
    }

    /**
     * True for the attributes that show the JVM's command line and system properties: no HTTP
     * client reads them, and over remote JMX only operators. A secret must never be there (the
     * agent refuses its keystore password as a flag), but site options and paths are.
     */
    public static boolean commandLineAttribute(ObjectName mbean, String attribute) {
        return mbean != null && RUNTIME.equals(mbean.getCanonicalName()) && COMMAND_LINE.contains(attribute);
    }

    /** True when {@code attribute} of {@code mbean} is withheld from anonymous callers. */
    public static boolean privateAttribute(ObjectName mbean, String attribute) {
        return mbean != null && "epics.ioc".equals(mbean.getDomain()) && "Ioc".equals(mbean.getKeyProperty("type"))
                && PRIVATE_IOC_ATTRIBUTES.contains(attribute);
    }
}
