package io.tcpsim.bench;

import io.tcpsim.model.Model;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptParser;
import java.util.concurrent.TimeUnit;
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

/**
 * One simulated 10 MB transfer over a 40 ms round trip with 1 % seeded random loss each way (issue 12): a fresh
 * model, the handshake, one send() of 10 MB and a recv(MSG_WAITALL) of it, with the congestion window, SACK, RACK,
 * PRR and RTO recovery (docs/model.md, "Two hosts on a link"). The packets are logged (the run's RunLog), not
 * printed. Goal: at least 10,000 times faster than real time on one core; the run's virtual duration (printed once
 * in setup) over the measured time per run is that factor (docs/benchmarks.md).
 *
 * <p>{@code java -jar benchmarks/target/benchmarks.jar LossyTransfer}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(1)
public class LossyTransferBenchmark {
    static final String SCRIPT = """
            name: transfer-10mb-40ms-rtt-1pct-loss
            hosts:
              client: 10.0.1.1
              server: 10.0.1.2
            link:
              delay: 20ms
              loss: 1%
            sysctl:
              net.ipv4.tcp_rmem: 4096 16777216 33554432
              net.ipv4.tcp_wmem: 4096 16777216 33554432
            steps:
              - 'server: a = socket() = 3'
              - 'server: bind(a, 10.0.1.2:5001) = 0'
              - 'server: listen(a, 8) = 0'
              - 'client: c = socket() = 3'
              - 'client: connect(c, 10.0.1.2:5001) = 0'
              - 'server: s = accept(a) = 4'
              - 'client: send(c, 10485760) = 10485760'
              - 'server: recv(s, 10485760, MSG_WAITALL) = 10485760'
            """;
    static final long SEED = 1;
    private Script script;

    @Setup
    public void load() throws Exception {
        script = ScriptParser.parse("transfer-10mb-40ms-rtt-1pct-loss.yaml", SCRIPT);
        RunLog log = run();
        System.out.printf("# simulated: %.3f s of virtual time, %d packets%n", virtualSeconds(log), log.packets().size());
    }

    RunLog run() {
        RunLog log = Runner.run(script, new Model(script.profile(), SEED));
        if (!log.ok()) throw new IllegalStateException("the transfer did not complete as the script expects");
        return log;
    }

    static double virtualSeconds(RunLog log) {
        return log.packets().get(log.packets().size() - 1).timeNanos() / 1e9;
    }

    @Benchmark
    public RunLog transfer10MbWithOnePercentLoss() {
        return run();
    }
}
