package io.tcpsim.fuzz;

import java.util.SplittableRandom;

/**
 * The fuzz loop behind {@code tcpsim fuzz}: generate, run, and on the first failure shrink to a minimal script.
 * The oracle decides what a failure is: the invariants on the model ({@link #model}), or model against kernel
 * (trace-replay).
 */
public final class Fuzzer {
    private Fuzzer() {}

    /** Runs a generated script; returns what broke, or an ok outcome. */
    public interface Oracle {
        Trial.Outcome test(String scriptText);
    }

    /** The model's invariants and determinism, recording coverage. */
    public static Oracle model(Coverage coverage) {
        return text -> Trial.run(text, coverage, true);
    }

    /** The shrunk failure: the program, its script text (ready to save), and what broke. */
    public record Failure(Program program, String script, Trial.Outcome outcome, int originalActions) {}

    /**
     * {@code refused}: of the {@code tries}, those the model refused ("not modelled yet": on two hosts, a loss whose
     * recovery it does not model yet); they are counted, not failures.
     */
    public record Report(long tries, long refused, long nanos, Failure failure) {
        public double triesPerSecond() {
            return nanos == 0 ? 0 : tries * 1e9 / nanos;
        }
    }

    public static Report run(long tries, long seed, Bounds bounds, Oracle oracle, String name) {
        return run(tries, seed, bounds, oracle, name, false);
    }

    /** With {@code twoHosts}, every program runs on two hosts joined by a link, with link steps among its actions. */
    public static Report run(long tries, long seed, Bounds bounds, Oracle oracle, String name, boolean twoHosts) {
        OpGenerator gen = new OpGenerator(bounds);
        SplittableRandom r = new SplittableRandom(seed);
        long t0 = System.nanoTime(), refused = 0;
        for (long i = 0; i < tries; i++) {
            Program p = gen.next(r, twoHosts);
            Trial.Outcome o = oracle.test(ScriptBuilder.text(p, name, bounds));
            if (NOT_MODELLED.equals(o.invariant())) {
                refused++;
            } else if (!o.ok()) {
                long spent = System.nanoTime() - t0;
                return new Report(i + 1, refused, spent, shrink(p, o, bounds, oracle, name));
            }
        }
        return new Report(tries, refused, System.nanoTime() - t0, null);
    }

    /** The outcome of a script the model refuses: nothing to check. */
    public static final String NOT_MODELLED = "not modelled";

    /** Shrinks to the fewest actions that still break the same invariant. */
    public static Failure shrink(Program p, Trial.Outcome o, Bounds bounds, Oracle oracle, String name) {
        Program small = Shrinker.shrink(p, q -> o.invariant().equals(oracle.test(ScriptBuilder.text(q, name, bounds)).invariant()));
        String text = ScriptBuilder.text(small, name, bounds);
        return new Failure(small, text, oracle.test(text), p.ops().size());
    }
}
