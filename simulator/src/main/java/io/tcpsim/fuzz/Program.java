package io.tcpsim.fuzz;

import java.util.List;

/**
 * What the generators make and the shrinker reduces: the run's seed, the listener's backlog, the actions, and
 * {@code net}: null for one host on loopback, or two hosts joined by a link ({@link ScriptBuilder} writes
 * {@code hosts:} and {@code link:}). {@link ScriptBuilder#text} turns it into script text.
 */
public record Program(long seed, int backlog, List<Op> ops, Net net) {
    public Program {
        ops = List.copyOf(ops);
    }

    public Program(long seed, int backlog, List<Op> ops) {
        this(seed, backlog, ops, null);
    }

    /** Two hosts, client 10.0.1.1 and server 10.0.1.2, and the link's one-way delay (both directions). */
    public record Net(long delayMicros) {}

    public Program withOps(List<Op> fewer) {
        return new Program(seed, backlog, fewer, net);
    }
}
