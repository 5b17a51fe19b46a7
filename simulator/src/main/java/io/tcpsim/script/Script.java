package io.tcpsim.script;

import io.tcpsim.model.Profile;
import java.util.List;

/**
 * A parsed and checked script: everything a run needs, nothing left to look up. {@code seed} is null when the
 * script does not fix one. {@code source} is the file's text, kept for --record. {@code topology} is the script's
 * hosts and link, or null for a script without {@code hosts:} (one host, on loopback).
 */
public record Script(String file, String source, String name, String description, Long seed, Profile profile,
                     List<Step> steps, Topology topology) {
    /** The process a step belongs to when it names none. */
    public static final String MAIN = "main";

    public Script { steps = List.copyOf(steps); }

    /** A loopback script: no {@code hosts:}. */
    public Script(String file, String source, String name, String description, Long seed, Profile profile, List<Step> steps) {
        this(file, source, name, description, seed, profile, steps, null);
    }

    /** The call steps, in order. */
    public List<Step.CallStep> calls() {
        return steps.stream().filter(s -> s instanceof Step.CallStep).map(s -> (Step.CallStep) s).toList();
    }
}
