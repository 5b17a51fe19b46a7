package io.tcpsim.check;

import io.tcpsim.compare.Tolerance;
import io.tcpsim.run.RunLog;

/**
 * Cross-check: the same script's run on the model against its run on the real kernel (docs/cross-check.md). Both
 * logs are taken relative to their first line, so both start at 00:00:00.000000; then {@link Alignment} pairs and
 * compares them, and the {@link Verdict} says whether they agree and, if not, where first.
 */
public final class Check {
    private Check() {}

    public static Verdict compare(RunLog model, RunLog kernel) {
        return compare(model, kernel, Tolerance.DEFAULT);
    }

    public static Verdict compare(RunLog model, RunLog kernel, Tolerance tolerance) {
        if (model.script() != kernel.script()) throw new IllegalArgumentException("the two runs are of different scripts");
        RunLog m = model.relativeTo(model.start()), k = kernel.relativeTo(kernel.start());
        return new Verdict(new Alignment(m, k, tolerance));
    }
}
