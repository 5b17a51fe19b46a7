package io.tcpsim.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpsim.backend.Backend;
import io.tcpsim.check.Check;
import io.tcpsim.check.Divergence;
import io.tcpsim.check.Verdict;
import io.tcpsim.kernel.KernelUnavailableException;
import io.tcpsim.run.Clock;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Script;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tcpsim check}: the script on the model once and on the real kernel {@code --runs} times; every kernel run
 * must agree with the model (docs/cross-check.md). Exit 0 when all agree, 1 when one does not (the report of the
 * first such run is printed), 2 when the kernel cannot be used.
 */
@Command(name = "check", description = "Run a script on the model and on the real kernel and compare packets, "
        + "results, signals and netstat tables.", sortOptions = false)
final class CheckCommand implements Callable<Integer> {
    private final Main.Env env;

    CheckCommand(Main.Env env) {
        this.env = env;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(paramLabel = "SCRIPT", description = "The script (YAML, or JSON when it ends in .json).")
    Path file;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "1",
            description = "Run the kernel side N times; every run must agree (default 1).")
    int runs;

    @Option(names = "--seed", paramLabel = "N", description = "The model's seed (default: the script's seed:, else a random one).")
    Long seed;

    @Option(names = "--json", description = "One JSON object per kernel run, then an end object.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = env.out(), err = env.err();
        if (runs < 1) {
            err.println("tcpsim: --runs must be at least 1, got " + runs + " (see tcpsim --help)");
            return Main.BAD_INPUT;
        }
        Script script;
        try {
            script = ScriptFile.load(file);
        } catch (ScriptFile.Unusable e) {
            err.println("tcpsim: " + e.getMessage());
            return Main.BAD_INPUT;
        }
        long s = ScriptFile.seed(seed, script);
        RunLog model = Runner.run(script, env.backend().apply(script.profile(), s));

        if (!json) out.println("# tcpsim check " + file + " --seed " + s + " --runs " + runs);
        int agreeing = 0;
        Verdict firstBad = null;
        int firstBadRun = 0;
        for (int run = 1; run <= runs; run++) {
            Backend kernel;
            try {
                kernel = env.kernel().get();
            } catch (KernelUnavailableException e) {
                out.flush();
                err.println(e.getMessage());
                return Main.BAD_INPUT;
            }
            long t0 = System.nanoTime();
            Verdict v = Check.compare(model, Runner.run(script, kernel));
            long took = System.nanoTime() - t0;
            if (v.agrees()) agreeing++;
            else if (firstBad == null) {
                firstBad = v;
                firstBadRun = run;
            }
            if (json) out.println(json(run, v, took));
            else out.println("# run " + run + "/" + runs + ": " + (v.agrees() ? "agree" : "differ: " + v.divergences().get(0))
                    + " (" + v.counts() + "; rules used: " + v.rulesText() + "; kernel run " + Clock.millis(took) + ")");
            out.flush();
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "end");
            m.put("runs", runs);
            m.put("agreeing", agreeing);
            m.put("agree", agreeing == runs);
            out.println(write(m));
        } else {
            if (firstBad != null) {
                out.println();
                out.println("# run " + firstBadRun + ": the model and the kernel differ");
                for (String l : firstBad.report()) out.println(l);
            }
            out.println("# " + (agreeing == runs ? "agree" : "differ") + " on " + (agreeing == runs ? agreeing : runs - agreeing)
                    + " of " + runs + " runs");
        }
        out.flush();
        return agreeing == runs ? Main.OK : Main.FAILED;
    }

    private static String json(int run, Verdict v, long tookNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "check");
        m.put("run", run);
        m.put("agree", v.agrees());
        m.put("divergences", v.divergences().stream().map(Divergence::text).toList());
        m.put("rules", v.rulesUsed());
        m.put("report", v.report());
        m.put("kernel_run_ns", tookNanos);
        return write(m);
    }

    private static String write(Map<String, Object> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
