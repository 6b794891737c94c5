package io.iocagent.model;

import io.iocagent.conf.IocName;
import io.iocagent.systemd.UnitState;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one refresh read from the sources for some IOCs, handed to {@link Fleet#apply}: the one way
 * facts enter the model, whether a systemd signal, a conf change, a log change or a poll read them.
 * A source that was not read is absent (null), which is different from "read, and found nothing".
 *
 * @param names        the IOCs this refresh is about
 * @param complete     {@code names} is every IOC there is (a full poll): IOCs not in it leave the model
 * @param confs        the confs of {@code names} as read now, null entries for those not installed;
 *                     null when the confs were not read (the held ones stay)
 * @param states       unit states read from systemd (units systemd did not answer for are missing);
 *                     null when systemd was not asked
 * @param statesReadAt {@link System#nanoTime()} just before the states were asked for: a state older
 *                     than a log line already taken, or than the state held, is not applied
 * @param consoles     the console of each socket path asked about; null when not surveyed
 * @param usage        cgroup usage by IOC, for the IOCs in {@code usageRead}; null when not read
 * @param usageRead    the IOCs whose usage was read (those missing from {@code usage} have none)
 * @param problems     what could not be read, for the refresh-error count; empty when all went well
 * @param endpoints    CA/PVA endpoints by IOC, for the IOCs in {@code usageRead} (those missing have
 *                     none); null when not surveyed
 */
record Readings(Set<IocName> names, boolean complete, Map<IocName, InstalledConf> confs,
                Map<IocName, UnitState> states, long statesReadAt, Map<Path, ConsoleSurvey.Console> consoles,
                Map<IocName, CgroupUsage> usage, Set<IocName> usageRead, List<String> problems,
                Map<IocName, IocEndpoints> endpoints) {

    Readings {
        names = Collections.unmodifiableSet(new TreeSet<>(names));
        confs = confs == null ? null : Collections.unmodifiableMap(new HashMap<>(confs));
        states = states == null ? null : Map.copyOf(states);
        consoles = consoles == null ? null : Map.copyOf(consoles);
        usage = usage == null ? null : Map.copyOf(usage);
        usageRead = usageRead == null ? Set.of() : Set.copyOf(usageRead);
        problems = List.copyOf(problems);
        endpoints = endpoints == null ? null : Map.copyOf(endpoints);
    }

    /** Readings without an endpoint survey. */
    Readings(Set<IocName> names, boolean complete, Map<IocName, InstalledConf> confs, Map<IocName, UnitState> states,
             long statesReadAt, Map<Path, ConsoleSurvey.Console> consoles, Map<IocName, CgroupUsage> usage,
             Set<IocName> usageRead, List<String> problems) {
        this(names, complete, confs, states, statesReadAt, consoles, usage, usageRead, problems, null);
    }

    /** Unit states of {@code names}, read at {@code readAt}, with their confs as held. */
    static Readings states(Set<IocName> names, Map<IocName, InstalledConf> confs, Map<IocName, UnitState> states,
                           long readAt) {
        return new Readings(names, false, confs, states, readAt, null, null, null, List.of());
    }

    /** Consoles and usage of {@code names}, read after something told that they changed. */
    static Readings details(Set<IocName> names, Map<Path, ConsoleSurvey.Console> consoles,
                            Map<IocName, CgroupUsage> usage, List<String> problems) {
        return details(names, consoles, usage, problems, null);
    }

    /** Consoles, usage and endpoints of {@code names}, read after something told that they changed. */
    static Readings details(Set<IocName> names, Map<Path, ConsoleSurvey.Console> consoles,
                            Map<IocName, CgroupUsage> usage, List<String> problems,
                            Map<IocName, IocEndpoints> endpoints) {
        return new Readings(names, false, null, null, 0, consoles, usage, usage == null ? null : names, problems,
                endpoints);
    }
}
