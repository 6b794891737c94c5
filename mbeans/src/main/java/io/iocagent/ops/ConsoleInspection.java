package io.iocagent.ops;

import java.util.List;

/**
 * What {@code inspect} found on an IOC's console socket: the structured form of the command
 * line's three sections (an MXBean composite; names verbatim).
 *
 * @param socketPath           the console socket traced
 * @param servers              processes holding the listener or an accepted connection (procServ, the IOC)
 * @param clients              processes connected to the console, one entry per connection
 * @param uninspectedProcesses processes whose descriptors could not be read; when positive,
 *                             clients of other users may be missing
 * @param notes                warnings the operation printed (for instance a stale socket of an
 *                             inactive unit); empty when there were none
 */
public record ConsoleInspection(String socketPath, List<ConsoleProcess> servers, List<ConsoleProcess> clients,
                                int uninspectedProcesses, List<String> notes) {

    public ConsoleInspection {
        servers = List.copyOf(servers);
        clients = List.copyOf(clients);
        notes = List.copyOf(notes);
    }

    /** The same inspection with {@code notes} (the warnings the operation printed). */
    public ConsoleInspection withNotes(List<String> notes) {
        return new ConsoleInspection(socketPath, servers, clients, uninspectedProcesses, notes);
    }
}
