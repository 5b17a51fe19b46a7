package io.tcpsim.bench;

import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import io.tcpsim.wire.SockAddr;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Simulated socket calls per second on one core: send/recv of small data on an established pair, with every packet
 * the calls cause (the data segment, the quick or delayed ACK, the timers), and the event log drained as a runner
 * would. Goal (issue 2): at least 1,000,000 calls per second.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar ModelCalls}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class ModelCallsBenchmark {
    private static final int CALLS_PER_BATCH = 2_000;
    private Model model;
    private int client;
    private int server;
    private Call.Send send;
    private Call.Recv recv;

    @Setup(Level.Iteration)
    public void setUp() {
        model = new Model(Profile.linux6(), 42);
        SockAddr addr = SockAddr.loopback(4321);
        int a = (int) model.call("main", new Call.Socket(0)).value();
        model.call("main", new Call.SetSockOpt(a, SockOpt.SO_REUSEADDR, new int[] {1}));
        model.call("main", new Call.Bind(a, addr));
        model.call("main", new Call.Listen(a, 8));
        client = (int) model.call("main", new Call.Socket(0)).value();
        model.call("main", new Call.Connect(client, addr));
        server = (int) model.call("main", new Call.Accept(a, 0)).value();
        send = new Call.Send(client, new byte[] {'a', 'b', 'c', 'd'}, 0, false);
        recv = new Call.Recv(server, 4, 0, false);
        model.drainEvents();
    }

    /** One batch: 1,000 send/recv pairs, then the events are drained. */
    @Benchmark
    @OperationsPerInvocation(CALLS_PER_BATCH)
    public void sendRecvSmall(Blackhole bh) {
        for (int i = 0; i < CALLS_PER_BATCH / 2; i++) {
            Result s = model.call("main", send);
            Result r = model.call("main", recv);
            bh.consume(s.value() + r.value());
        }
        bh.consume(model.drainEvents().size());
    }
}
