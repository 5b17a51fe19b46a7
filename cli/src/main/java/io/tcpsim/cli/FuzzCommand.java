package io.tcpsim.cli;

import io.tcpsim.backend.Backend;
import io.tcpsim.fuzz.Bounds;
import io.tcpsim.fuzz.Coverage;
import io.tcpsim.fuzz.Differential;
import io.tcpsim.fuzz.Fuzzer;
import io.tcpsim.kernel.KernelUnavailableException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tcpsim fuzz}: generated scripts on the model with the state machine's invariants checked after every step
 * (and a second run for determinism), or with {@code --kernel} on the model and the real kernel, which must agree.
 * The first failure is shrunk to a minimal script, printed ready to save under traces/scenarios/regressions/.
 */
@Command(name = "fuzz", sortOptions = false,
        description = "Run generated scripts: on the model with its invariants, or (--kernel) model against kernel.")
final class FuzzCommand implements Callable<Integer> {
    private final Main.Env env;

    FuzzCommand(Main.Env env) {
        this.env = env;
    }

    @Option(names = "--tries", paramLabel = "N", description = "How many scripts to generate (default: 1000).")
    long tries = 1000;

    @Option(names = "--kernel", description = "Also run each script on the real kernel; the two must agree (needs root).")
    boolean kernel;

    @Option(names = "--two-hosts", description = "Generate scripts for two hosts on a link, with link steps (docs/scripts.md).")
    boolean twoHosts;

    @Option(names = "--seed", paramLabel = "S", description = "The generator's seed (default: a random one, printed).")
    Long seed;

    @Override
    public Integer call() {
        PrintWriter out = env.out(), err = env.err();
        if (tries < 1) {
            err.println("tcpsim: --tries must be at least 1, got " + tries + " (see tcpsim fuzz --help)");
            return Main.BAD_INPUT;
        }
        if (kernel) {
            // One kernel run's set-up first, so that without root or libpcap fuzz says so at once with one line.
            Backend probe = env.kernelOrSay("fuzz --kernel");
            if (probe == null) return Main.BAD_INPUT;
            probe.close();
        }
        long s = seed != null ? seed : new java.security.SecureRandom().nextLong() & Long.MAX_VALUE;
        Bounds bounds = kernel ? Bounds.KERNEL : Bounds.MODEL;
        Fuzzer.Oracle oracle = kernel ? new Differential() : Fuzzer.model(new Coverage());
        out.println("# tcpsim fuzz --tries " + tries + (kernel ? " --kernel" : "") + (twoHosts ? " --two-hosts" : "")
                + " --seed " + s);
        out.flush();
        Fuzzer.Report r;
        try {
            r = Fuzzer.run(tries, s, bounds, oracle, "fuzz-" + s, twoHosts);
        } catch (KernelUnavailableException e) { // the privilege went away during the run
            out.flush();
            err.println("tcpsim: fuzz --kernel " + e.getMessage());
            return Main.BAD_INPUT;
        }
        String rate = String.format(Locale.ROOT, "%d tries%s in %.1f s: %.1f tries/s", r.tries(),
                r.refused() > 0 ? " (" + r.refused() + " refused by the model)" : "", r.nanos() / 1e9, r.triesPerSecond());
        if (r.failure() == null) {
            out.println(rate + ", no failure");
            return Main.OK;
        }
        Fuzzer.Failure f = r.failure();
        out.println(rate + ", failed at try " + r.tries());
        out.println("# " + f.outcome().describe());
        out.println("# shrunk from " + f.originalActions() + " to " + f.program().ops().size()
                + " actions; save under traces/scenarios/regressions/:");
        out.print(f.script());
        return Main.FAILED;
    }
}
