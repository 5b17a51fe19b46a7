package io.tcpsim.bench;

import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.replay.Replay;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

/**
 * Packets per second for {@code tcpsim replay} on one core, against the two other ways of reading the same file,
 * measured in the same run: {@code tcpdump -nn -r FILE > /dev/null} (a child process), and libpcap through pcap4j
 * (what trace-replay's live capture uses). The file is {@link ShortFlowsCapture}: 100,000 copies of the
 * request-response capture (10 packets each, 1,000,000 packets), many short flows, each replayed through its own
 * model. Goal (issue 5): replay at 1,000,000 packets/s.
 *
 * <p>Run from the repository root (it reads traces/captures/replay):
 * {@code java -jar benchmarks/target/benchmarks.jar Replay}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 8, time = 5)
@Fork(1)
public class ReplayBenchmark {
    static final int FLOWS = (int) ShortFlowsCapture.FLOWS;
    static final int PACKETS = FLOWS * ShortFlowsCapture.PACKETS_PER_FLOW;

    Path file;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        file = Files.createTempFile("tcpsim-replay-bench", ".pcap");
        long n = ShortFlowsCapture.write(file, FLOWS);
        if (n != PACKETS) throw new IllegalStateException(n + " packets");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long replay() throws IOException {
        Replay r = new Replay(new Replay.Sink() {}, false);
        try (CaptureRecords records = CaptureRecords.open(file)) {
            r.run(records, null);
        }
        if (r.totals().diverged != 0) throw new IllegalStateException(r.totals().diverged + " flows diverged");
        return r.totals().explained;
    }

    /** The reader alone: how much of replay's time is reading the file. */
    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long readRecords() throws IOException {
        long n = 0;
        try (CaptureRecords records = CaptureRecords.open(file)) {
            while (records.next()) n += records.capturedLength();
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public int tcpdump() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tcpdump", "-nn", "-r", file.toString())
                .redirectOutput(new File("/dev/null")).redirectError(new File("/dev/null")).start();
        return p.waitFor();
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long pcap4j() throws Exception {
        long n = 0;
        try (PcapHandle h = Pcaps.openOffline(file.toString())) {
            while (h.getNextRawPacket() != null) n++;
        }
        return n;
    }
}
