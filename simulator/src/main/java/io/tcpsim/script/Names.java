package io.tcpsim.script;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The descriptor names a script has made so far, while it is being parsed: who holds each one and whether it is
 * still open there. A name belongs to the process that made it; {@code fork} gives the child the same names for the
 * same descriptors, which each process then closes on its own. A name open in any process cannot be made again.
 */
final class Names {
    /** {@code closed} says how the name was closed in {@code process} ("close at line 13"), null while it is open. */
    record Binding(String name, String process, int line, String closed) {}

    /** Process, then name: each process's view of the names it holds or held. */
    private final Map<String, Map<String, Binding>> byProcess = new HashMap<>();
    private final Map<String, Integer> exited = new HashMap<>();
    /** Every process a step has named so far: a fork's child must be new. */
    private final Set<String> seen = new HashSet<>();
    /** Addresses a getsockname or getpeername step bound to a name, with the line that bound it. */
    private final Map<String, Integer> addresses = new HashMap<>();

    void seen(String process) {
        seen.add(process);
    }

    boolean wasSeen(String process) {
        return seen.contains(process);
    }

    void bindAddress(String name, int line) {
        addresses.put(name, line);
    }

    /** The line that bound an address to {@code name}, or null. */
    Integer address(String name) {
        return addresses.get(name);
    }

    private Map<String, Binding> of(String process) {
        return byProcess.computeIfAbsent(process, p -> new TreeMap<>());
    }

    /** The process's binding of the name, or null when it never held it. */
    Binding get(String name, String process) {
        Map<String, Binding> m = byProcess.get(process);
        return m == null ? null : m.get(name);
    }

    /** A binding of the name in any process, an open one first, for messages and the "still open" rule; or null. */
    Binding any(String name) {
        Binding found = null;
        for (Map<String, Binding> m : byProcess.values()) {
            Binding b = m.get(name);
            if (b == null) continue;
            if (b.closed() == null) return b;
            if (found == null) found = b;
        }
        return found;
    }

    void bind(String name, String process, int line) {
        of(process).put(name, new Binding(name, process, line, null));
    }

    void close(String name, String process, int line) {
        Binding b = get(name, process);
        if (b != null && b.closed() == null) of(process).put(name, new Binding(name, process, b.line(), "close at line " + line));
    }

    void exit(String process, int line) {
        exited.put(process, line);
        for (Binding b : List.copyOf(of(process).values()))
            if (b.closed() == null)
                of(process).put(b.name(), new Binding(b.name(), process, b.line(), "process '" + process + "' exited at line " + line));
    }

    /** fork: the child holds every name the parent holds open, for the same descriptors. */
    void fork(String parent, String child, int line) {
        seen.add(child);
        for (Binding b : of(parent).values())
            if (b.closed() == null) of(child).put(b.name(), new Binding(b.name(), child, line, null));
    }

    /** The line at which the process exited, or null while it may still run steps. */
    Integer exitedAt(String process) {
        return exited.get(process);
    }

    /** The open names of a process, sorted, for "known:" lists. */
    List<String> open(String process) {
        List<String> out = new ArrayList<>();
        for (Binding b : of(process).values()) if (b.closed() == null) out.add(b.name());
        return out;
    }
}
