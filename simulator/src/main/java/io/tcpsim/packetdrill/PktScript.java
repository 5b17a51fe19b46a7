package io.tcpsim.packetdrill;

import java.util.List;

/**
 * A parsed .pkt script (parser.y, script): its option lines, the settings they give with the command line's,
 * the command run before the first event (a backquoted line without a time, usually {@code `../common/defaults.sh`}),
 * the events in order, and the command run after the last one. {@code init} and {@code cleanup} are null when absent.
 */
public record PktScript(String file, List<ScriptOption> options, PktConfig config, Command init, List<Event> events,
                        Command cleanup) {
    public PktScript {
        options = List.copyOf(options);
        events = List.copyOf(events);
    }
}
