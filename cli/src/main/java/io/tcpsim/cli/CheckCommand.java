package io.tcpsim.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpsim.backend.Backend;
import io.tcpsim.check.Check;
import io.tcpsim.check.Verdict;
import io.tcpsim.cli.Options.Outputs;
import io.tcpsim.compare.Divergence;
import io.tcpsim.picture.Ladder;
import io.tcpsim.picture.RunLadder;
import io.tcpsim.picture.SideBySide;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    /**
     * Made on first use (the holder idiom): picocli creates the commands it registers at start-up, and an
     * ObjectMapper in a static field cost each of them, {@code tcpsim run} too, about 60 ms with the class-data
     * archive and 80 to 200 ms without it (docs/benchmarks.md, "Whole process").
     */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    @Mixin
    Options.ScriptArg scriptArg;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "1",
            description = "Run the kernel side N times; every run must agree (default 1).")
    int runs;

    @Mixin
    Options.Seed seed;

    @Mixin
    Options.Json json;

    /** The picture: the model's run and the kernel's side by side, the first run that differs (else the last). */
    @Mixin
    Options.Pictures pictures;

    @Override
    public Integer call() {
        PrintWriter out = env.out(), err = env.err();
        if (runs < 1) {
            err.println("tcpsim: --runs must be at least 1, got " + runs + " (see tcpsim check --help)");
            return Main.BAD_INPUT;
        }
        String problem = Outputs.problem(pictures.named());
        if (problem != null) {
            err.println(problem);
            return Main.BAD_INPUT;
        }
        Script script = scriptArg.load(err);
        if (script == null) return Main.BAD_INPUT;
        if (Outputs.toStdout(pictures.named())) out = new PrintWriter(java.io.Writer.nullWriter());
        Path file = scriptArg.file;
        long s = seed.of(script);
        Backend modelBackend = env.backend().apply(script.profile(), s);
        RunLadder.Recorder modelSteps = new RunLadder.Recorder(modelBackend);
        RunLog model = Runner.run(script, modelBackend, modelSteps);
        RunLog pictured = null;
        Verdict picturedVerdict = null;
        int picturedRun = 0;

        int agreeing = 0;
        Verdict firstBad = null;
        int firstBadRun = 0;
        for (int run = 1; run <= runs; run++) {
            Backend kernel = env.kernelOrSay("check", script);
            if (kernel == null) return Main.BAD_INPUT;
            // The header only once the first kernel run can start: without a kernel, stdout stays empty.
            if (run == 1 && !json.on) out.println("# tcpsim check " + file + " --seed " + s + " --runs " + runs);
            long t0 = System.nanoTime();
            RunLog kernelLog = Runner.run(script, kernel);
            Verdict v = Check.compare(model, kernelLog);
            long took = System.nanoTime() - t0;
            if (picturedVerdict == null || picturedVerdict.agrees()) {
                pictured = kernelLog;
                picturedVerdict = v;
                picturedRun = run;
            }
            if (v.agrees()) agreeing++;
            else if (firstBad == null) {
                firstBad = v;
                firstBadRun = run;
            }
            if (json.on) out.println(json(run, v, took));
            else out.println("# run " + run + "/" + runs + ": " + (v.agrees() ? "agree" : "differ: " + v.divergences().get(0))
                    + " (" + v.counts() + "; rules used: " + v.rulesText() + "; kernel run " + Clock.millis(took) + ")");
            out.flush();
        }
        if (json.on) {
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
        if (pictured != null) {
            RunLog k = pictured;
            Verdict v = picturedVerdict;
            int n = picturedRun;
            if (!pictures.write(() -> picture(script, s, model, modelSteps, k, v, n), env)) return Main.BAD_INPUT;
        }
        return agreeing == runs ? Main.OK : Main.FAILED;
    }

    /** The model's columns and the kernel's, both clocks from 0; the first divergence a red band at the model's line. */
    private Ladder picture(Script script, long seed, RunLog model, RunLadder.Recorder steps, RunLog kernel, Verdict v, int run) {
        String command = "tcpsim check " + scriptArg + " --seed " + seed;
        Ladder m = RunLadder.of(model, steps.steps(), command);
        Ladder k = RunLadder.of(kernel, List.of(), command);
        long shift = kernel.lines().isEmpty() ? 0 : kernel.lines().get(0).time();
        List<Ladder.Mark> across = new java.util.ArrayList<>();
        if (!v.agrees()) {
            Divergence d = v.divergences().get(0);
            long at = v.modelLine(d) != null ? v.modelLine(d).time() : v.kernelLine(d).time() - shift;
            across.add(new Ladder.Band(at, "first divergence: " + d.text(), String.join("\n", v.report()), -1));
        }
        List<String> subtitle = List.of("kernel run " + run + " of " + runs + ": " + (v.agrees() ? "agrees with the model" : "differs from the model")
                + " (" + v.counts() + ")", command + " --runs " + runs);
        return SideBySide.of(script.name() + ": model and kernel", subtitle,
                List.of(new SideBySide.Part("model", m, 0), new SideBySide.Part("kernel", k, shift)), across);
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
            return Mapper.JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
