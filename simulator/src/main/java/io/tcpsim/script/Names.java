package io.tcpsim.script;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The descriptor names a script has made so far, while it is being parsed: who owns each one and whether it is
 * still open. Names are global to the script; each belongs to the process that made it.
 */
final class Names {
    /** {@code closed} says how the name was closed ("close at line 13"), null while it is open. */
    record Binding(String name, String process, int line, String closed) {}

    private final Map<String, Binding> bindings = new TreeMap<>();
    private final Map<String, Integer> exited = new HashMap<>();
    /** Addresses a getsockname or getpeername step bound to a name, with the line that bound it. */
    private final Map<String, Integer> addresses = new HashMap<>();

    void bindAddress(String name, int line) {
        addresses.put(name, line);
    }

    /** The line that bound an address to {@code name}, or null. */
    Integer address(String name) {
        return addresses.get(name);
    }

    Binding get(String name) {
        return bindings.get(name);
    }

    void bind(String name, String process, int line) {
        bindings.put(name, new Binding(name, process, line, null));
    }

    void close(String name, int line) {
        Binding b = bindings.get(name);
        if (b != null && b.closed() == null) bindings.put(name, new Binding(name, b.process(), b.line(), "close at line " + line));
    }

    void exit(String process, int line) {
        exited.put(process, line);
        for (Binding b : List.copyOf(bindings.values()))
            if (b.process().equals(process) && b.closed() == null)
                bindings.put(b.name(), new Binding(b.name(), process, b.line(), "process '" + process + "' exited at line " + line));
    }

    /** The line at which the process exited, or null while it may still run steps. */
    Integer exitedAt(String process) {
        return exited.get(process);
    }

    /** The open names of a process, sorted, for "known:" lists. */
    List<String> open(String process) {
        List<String> out = new ArrayList<>();
        for (Binding b : bindings.values()) if (b.closed() == null && b.process().equals(process)) out.add(b.name());
        return out;
    }
}
