package io.tcpsim.fuzz;

import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * Differential fuzzing (issue 6): generated scripts run on the model and on the real kernel, and must agree. CI's
 * bound is 200 tries per run (about 25 s at ~8 tries/s: kernel scripts sleep at most 100 ms). The generator's seed
 * is random and printed; a failure is shrunk to a minimal script, printed ready to save under
 * traces/scenarios/regressions/. Repeat a run with -Dfuzz.seed=S.
 */
class DifferentialTest {
    static final int TRIES = 200;

    @Test
    void modelAndKernelAgreeOnGeneratedScripts() {
        long seed = Long.getLong("fuzz.seed", new java.util.SplittableRandom().nextLong() & Long.MAX_VALUE);
        Fuzzer.Report r = Fuzzer.run(TRIES, seed, Bounds.KERNEL, new Differential(), "regression");
        System.out.printf("differential: %d tries, seed %d, %.1f tries/s%n", r.tries(), seed, r.triesPerSecond());
        Fuzzer.Failure f = r.failure();
        assertNull(f, () -> "seed " + seed + ": " + f.outcome().describe()
                + "\n\nSave under traces/scenarios/regressions/:\n" + f.script());
    }
}
