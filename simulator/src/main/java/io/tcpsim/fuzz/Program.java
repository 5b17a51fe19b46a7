package io.tcpsim.fuzz;

import java.util.List;

/**
 * What the generators make and the shrinker reduces: the run's seed, the listener's backlog and the actions.
 * {@link ScriptBuilder#text} turns it into script text.
 */
public record Program(long seed, int backlog, List<Op> ops) {
    public Program {
        ops = List.copyOf(ops);
    }

    public Program withOps(List<Op> fewer) {
        return new Program(seed, backlog, fewer);
    }
}
