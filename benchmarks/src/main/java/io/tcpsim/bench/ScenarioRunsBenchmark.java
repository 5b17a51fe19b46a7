package io.tcpsim.bench;

import io.tcpsim.model.Model;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.run.TextOutput;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Complete in-process runs of the seed scenarios per second on one core: a fresh model, the runner over every step,
 * and the text output (tcpdump lines included), as {@code tcpsim run} does after reading the file. The scripts are
 * parsed once in setup. Goal (issue 3): at least 20,000 runs per second.
 *
 * <p>Run from the repository root (it reads traces/scenarios/seeds):
 * {@code java -jar benchmarks/target/benchmarks.jar ScenarioRuns}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class ScenarioRunsBenchmark {
    private static final int SEEDS = 9;
    private final List<Script> scripts = new ArrayList<>();

    @Setup
    public void load() throws Exception {
        Path dir = Path.of(System.getProperty("tcpsim.seeds", "traces/scenarios/seeds"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                scripts.add(ScriptParser.parse(p.toString(), Files.readString(p, StandardCharsets.UTF_8)));
            }
        }
        if (scripts.size() != SEEDS) throw new IllegalStateException("expected 9 seed scenarios in " + dir + ", found " + scripts.size());
    }

    /** All nine seed scenarios, each run once from scratch and printed. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(SEEDS)
    public void runAllSeeds(Blackhole bh) {
        for (Script s : scripts) {
            RunLog log = Runner.run(s, new Model(s.profile(), 1));
            if (!log.ok()) throw new IllegalStateException(s.name() + ": an expectation failed");
            bh.consume(new TextOutput(s).lines(log.lines()));
        }
    }
}
